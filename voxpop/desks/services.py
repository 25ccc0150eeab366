from datetime import datetime

from django.db import transaction

from voxpop.common.thread_cache import threads_changed_everywhere

from .models import Desk, HouseRule


@transaction.atomic
def house_rules_set(*, desk: Desk, language: str, texts: list[str], now: datetime) -> list[HouseRule]:
    """Make `texts` the desk's numbered rules in `language`; changed wording becomes a new version."""
    current = {r.number: r for r in HouseRule.objects.current().filter(desk=desk, language=language)}
    result = []
    for number, text in enumerate(texts, start=1):
        rule = current.pop(number, None)
        if rule and rule.text == text:
            result.append(rule)
            continue
        if rule:
            rule.retired_at = now
            rule.save(update_fields=["retired_at"])
        result.append(HouseRule.objects.create(desk=desk, language=language, number=number,
                                               text=text, created_at=now))
    for stale in current.values():
        stale.retired_at = now
        stale.save(update_fields=["retired_at"])
    threads_changed_everywhere()  # every thread page shows its desk's rules under the form
    return result
