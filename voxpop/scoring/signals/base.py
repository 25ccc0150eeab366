"""The shape every detector returns and the context it reads."""
from dataclasses import dataclass, field
from datetime import datetime

from voxpop.comments.models import Comment
from voxpop.desks.models import Desk
from voxpop.stories.models import Story


@dataclass(frozen=True)
class Signal:
    name: str          # stable identifier, e.g. "phone"; used by the API, the queue filter and tests
    label: str         # what the moderator reads, e.g. "Phone number"
    spans: tuple[tuple[int, int], ...] = ()
    weight: float = 0.2  # how much it raises the queue priority when no classifier speaks for the language
    personal: bool = False  # personal data or a protected name: holds the comment on a sensitive story

    def as_json(self) -> dict:
        return {"name": self.name, "label": self.label, "spans": [list(s) for s in self.spans],
                "personal": self.personal}


@dataclass(frozen=True)
class Context:
    comment: Comment
    body: str
    language: str
    desk: Desk
    story: Story
    now: datetime
    extra: dict = field(default_factory=dict)
