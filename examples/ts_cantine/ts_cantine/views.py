"""The canteen page of a pupil and the dashboard tile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ts_host.api import (
    Pupil,
    PupilContext,
    Tile,
    day_label,
    find_week,
    format_date,
    of_name,
    school_weeks,
    site_data,
    today,
)

from .i18n import _
from .models import SERVICE_ID, CantineSite, Menu
from .money import cents, euros

PAGE_ROUTE = "ts_cantine.pupil"

#: The query-string key of the week selector.
WEEK_PARAM = "semaine"


def dashboard_tile(request, pupil: Pupil) -> Tile:
    mapping = {"of_first_name": of_name(request, pupil.first_name)}
    return Tile(
        title=_("La cantine"),
        text=_("Les menus de la semaine et le solde ${of_first_name}.", mapping=mapping),
        link_label=_("Consultez la cantine ${of_first_name}", mapping=mapping),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


@dataclass(frozen=True)
class DayRow:
    """One line of the week's table."""

    day: date
    label: str
    menu: Menu | None
    meal: str  # "pris", "non pris", or "" (to come, or no account)


def week_rows(menus, account, days: list[date], now: date) -> list[DayRow]:
    taken = account.meals_between(days[0], days[-1]) if account is not None else {}
    rows = []
    for day in days:
        meal = ""
        if account is not None and day <= now:
            meal = "pris" if day in taken else "non pris"
        rows.append(DayRow(day, day_label(day), menus.get(day) if menus else None, meal))
    return rows


def cantine_view(context: PupilContext, request) -> dict:
    """The chosen week's menus (with the pupil's meals), the balance, the payments."""
    establishment, settings = context.establishment, context.settings
    now = today(request)
    weeks = school_weeks(establishment)
    week = find_week(establishment, request.params.get(WEEK_PARAM), now)
    index = weeks.index(week)
    store = site_data(request.site, SERVICE_ID, CantineSite)
    menus = store.menus.get(establishment.uai)
    account = context.pupil.services.get(SERVICE_ID)
    balance = account.balance(now) if account is not None else None
    price = cents(settings["meal_price"])
    return {
        "weeks": weeks,
        "week": week,
        "week_param": WEEK_PARAM,
        "previous_week": weeks[index - 1] if index else None,
        "next_week": weeks[index + 1] if index + 1 < len(weeks) else None,
        "rows": week_rows(menus, account, week.days, now),
        "show_allergens": settings["show_allergens"],
        "account": account,
        "today": format_date(now),
        "balance": euros(balance) if balance is not None else "",
        "in_debt": balance is not None and balance < 0,
        "low": balance is not None and 0 <= balance < cents(settings["low_balance"]),
        "meals_left": max(balance, 0) // price if balance is not None else 0,
        "meal_price": euros(price),
        "meal_count": account.meal_count(establishment.year_start, now) if account else 0,
        "payments": [
            (format_date(day), euros(amount))
            for day, amount in account.payments_between(establishment.year_start, now)
        ]
        if account is not None
        else [],
    }
