"""Danish public holidays (helligdage), computed; the plan's working hours say nothing about them.

Whether a holiday keeps its weekday's hours or follows the weekend's is the plan file's choice
(`[holidays]`), so another municipality can answer differently.
"""

from __future__ import annotations

from datetime import date, timedelta

# Store bededag stopped being a public holiday from 2024 (lov nr. 122 af 28/02/2023).
LAST_STORE_BEDEDAG = 2023


def easter_sunday(year: int) -> date:
    """Påskedag: the Gregorian computus (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def danish_holidays(year: int) -> dict[date, str]:
    """Every named holiday of `year`, the official ones and the customary days off."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "nytaarsdag",
        easter - timedelta(days=3): "skaertorsdag",
        easter - timedelta(days=2): "langfredag",
        easter: "paaskedag",
        easter + timedelta(days=1): "2-paaskedag",
        easter + timedelta(days=39): "kristi-himmelfartsdag",
        easter + timedelta(days=49): "pinsedag",
        easter + timedelta(days=50): "2-pinsedag",
        date(year, 6, 5): "grundlovsdag",
        date(year, 12, 24): "juleaftensdag",
        date(year, 12, 25): "juledag",
        date(year, 12, 26): "2-juledag",
        date(year, 12, 31): "nytaarsaftensdag",
    }
    if year <= LAST_STORE_BEDEDAG:
        days[easter + timedelta(days=26)] = "store-bededag"
    return days


HOLIDAY_NAMES = frozenset(danish_holidays(2023).values())
