from django.http import HttpRequest
from ninja import Router, Schema

from polis.coverage.selectors import desk_contacts

router = Router()


class DeskContactOut(Schema):
    city: str
    title: str
    phone: str
    email: str
    hours: str
    round_the_clock: bool
    time_zone: str


@router.get("/contacts", response=list[DeskContactOut], auth=None, summary="Телефоны медицинского пульта")
def contacts(request: HttpRequest, city: str = "") -> list[DeskContactOut]:
    """The desk's numbers for a city first (Moscow and St. Petersburg around the clock, others by
    their hours), then the federal ones. Public: they are printed on every policy."""
    return [DeskContactOut.model_validate(c, from_attributes=True) for c in desk_contacts(city=city)]
