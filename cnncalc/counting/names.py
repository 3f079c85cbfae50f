"""The conventions' names, without their rules: what option parsing needs (kept light for start-up)."""

CONVENTIONS = (
    "torchvision",
    "flop-counter",
    "torchinfo",
    "fvcore",
    "ptflops",
    "ptflops-aten",
    "thop",
    "calflops",
)
FORWARD_STYLES = ("export", "torchvision")
