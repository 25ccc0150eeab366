from .models import Desk, HouseRule


def house_rule_list_for(*, desk: Desk, language: str) -> list[HouseRule]:
    """The desk's current rules in `language`, else in the desk's first language that has rules."""
    rules = list(HouseRule.objects.current().filter(desk=desk, language=language))
    if rules:
        return rules
    for fallback in desk.languages:
        rules = list(HouseRule.objects.current().filter(desk=desk, language=fallback))
        if rules:
            return rules
    return list(HouseRule.objects.current().filter(desk=desk))


def house_rule_get(*, desk: Desk, language: str, number: int) -> HouseRule | None:
    return next((r for r in house_rule_list_for(desk=desk, language=language) if r.number == number), None)


def desk_get(*, key: str) -> Desk | None:
    return Desk.objects.filter(key=key).first()
