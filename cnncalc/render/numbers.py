"""Number formatting shared by every renderer: exact integers, SI multiples, bytes in MB and MiB.
In the current language: ``138,357,544`` and ``2.33`` in English, ``138.357.544`` and ``2,33`` in
Portuguese (:func:`cnncalc.i18n.number`). JSON and CSV do not come through here."""

from __future__ import annotations

from cnncalc.conventions import MB, MIB
from cnncalc.i18n import number as _localised

_SI = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))


def exact(n: int) -> str:
    """``138357544`` → ``138,357,544``."""
    return _localised(n)


def si(n: int | float, digits: int = 2, unit: str = "") -> str:
    """``15470264320`` → ``15.47 G`` (``15.47 GFLOPs`` with ``unit``); below 1,000 the number itself."""
    for scale, suffix in _SI:
        if abs(n) >= scale:
            return f"{_localised(n / scale, digits)} {suffix}{unit}"
    plain = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{plain} {unit}" if unit else plain


def megabytes(n: int) -> str:
    """Bytes as decimal megabytes, e.g. ``60.95 MB``; GB from 10^9 bytes up."""
    if n >= 10**9:
        return f"{_localised(n / 10**9)} GB"
    if n >= MB // 100:
        return f"{_localised(n / MB)} MB"
    if n >= 1000:
        return f"{_localised(n / 1000)} kB"
    return f"{n} B"


def mebibytes(n: int) -> str:
    """Bytes as binary units, e.g. ``58.13 MiB``; GiB from 2^30 bytes up."""
    if n >= 1024**3:
        return f"{_localised(n / 1024**3)} GiB"
    if n >= MIB // 100:
        return f"{_localised(n / MIB)} MiB"
    if n >= 1024:
        return f"{_localised(n / 1024)} KiB"
    return f"{n} B"


def both_units(n: int) -> str:
    """``60.95 MB (58.13 MiB)``."""
    return f"{megabytes(n)} ({mebibytes(n)})"


def number(x: int | float) -> str:
    """An int as is; a float with up to 3 decimals, trailing zeros removed."""
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return _localised(x, 3).rstrip("0").rstrip(".,")
