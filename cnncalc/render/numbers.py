"""Number formatting shared by every renderer: exact integers, SI multiples, bytes in MB and MiB.
In the current language: ``138,357,544`` and ``2.33`` in English, ``138.357.544`` and ``2,33`` in
Portuguese (:func:`cnncalc.i18n.number`). JSON and CSV do not come through here."""

from __future__ import annotations

from cnncalc.conventions import MB, MIB
from cnncalc.i18n import current_language
from cnncalc.i18n import number as _localised

# Decimal multiples up to quetta (10^30); binary ones up to quebi (2^100). Beyond the largest unit
# the scaled number keeps growing, exactly, with thousands separators.
_SI = tuple((10 ** (3 * i), p) for i, p in reversed(list(enumerate("KMGTPEZYRQ", start=1))))
_BYTES_DECIMAL = tuple((10 ** (3 * i), f"{p}B") for i, p in reversed(list(enumerate("kMGTPEZYRQ", start=1))))
_BYTES_BINARY = tuple((1024**i, f"{p}iB") for i, p in reversed(list(enumerate("KMGTPEZYRQ", start=1))))


def exact(n: int) -> str:
    """``138357544`` → ``138,357,544``."""
    return _localised(n)


_PT_DIGITS = str.maketrans({",": ".", ".": ","})


def scaled(n: int | float, scale: int, digits: int = 2) -> str:
    """``n / scale`` with ``digits`` decimals, in the current language (``2.33`` / ``2,33``); exact
    for integers of any size (rounded half to even, as Python formats an exact float), so a huge
    count never prints float artefacts such as ``809999999999951360.00``."""
    text = _scaled(n, scale, digits)
    return text.translate(_PT_DIGITS) if current_language() == "pt" else text


def _scaled(n: int | float, scale: int, digits: int) -> str:
    if not isinstance(n, int):
        return f"{n / scale:,.{digits}f}" if abs(n / scale) >= 10**4 else f"{n / scale:.{digits}f}"
    sign, n = ("-", -n) if n < 0 else ("", n)
    unit = 10**digits
    quotient, remainder = divmod(n * unit, scale)
    if 2 * remainder > scale or (2 * remainder == scale and quotient % 2):  # half to even, as round()
        quotient += 1
    whole, frac = divmod(quotient, unit)
    whole_text = f"{whole:,}" if whole >= 10**4 else str(whole)  # only past the largest unit
    return f"{sign}{whole_text}.{frac:0{digits}d}" if digits else f"{sign}{whole_text}"


def si(n: int | float, digits: int = 2, unit: str = "") -> str:
    """``15470264320`` → ``15.47 G`` (``15.47 GFLOPs`` with ``unit``); below 1,000 the number itself."""
    for scale, suffix in _SI:
        if abs(n) >= scale:
            return f"{scaled(n, scale, digits)} {suffix}{unit}"
    plain = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{plain} {unit}" if unit else plain


def megabytes(n: int) -> str:
    """Bytes as decimal units, e.g. ``60.95 MB``; kB below 10^4, GB from 10^9 up, then TB, PB, …"""
    for scale, suffix in _BYTES_DECIMAL:
        if scale >= 10**9 and n >= scale:
            return f"{scaled(n, scale)} {suffix}"
    if n >= MB // 100:
        return f"{scaled(n, MB)} MB"
    if n >= 1000:
        return f"{scaled(n, 1000)} kB"
    return f"{n} B"


def mebibytes(n: int) -> str:
    """Bytes as binary units, e.g. ``58.13 MiB``; GiB from 2^30 bytes up, then TiB, PiB, …"""
    for scale, suffix in _BYTES_BINARY:
        if scale >= 1024**3 and n >= scale:
            return f"{scaled(n, scale)} {suffix}"
    if n >= MIB // 100:
        return f"{scaled(n, MIB)} MiB"
    if n >= 1024:
        return f"{scaled(n, 1024)} KiB"
    return f"{n} B"


def both_units(n: int) -> str:
    """``60.95 MB (58.13 MiB)``."""
    return f"{megabytes(n)} ({mebibytes(n)})"


def number(x: int | float) -> str:
    """An int as is; a float with up to 3 decimals, trailing zeros removed."""
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return _localised(x, 3).rstrip("0").rstrip(".,")
