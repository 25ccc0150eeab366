"""The data both servers are seeded with: the same stories, authors, texts and times, from one seed.

Standard library only, so Voxpop's seeder (in Voxpop's virtual environment) and Isso's (in Isso's)
both import it and produce the same threads: one hot story with 200 published comments and 1,000
stories with 20 each.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

HOT_STORY = "hot-story"
HOT_COMMENTS = 200
STORIES = 1000
COMMENTS_PER_STORY = 20
# The 20-comment thread the read benchmark fetches (any of them would do: they are alike).
SMALL_STORY = "story-0500"

WORDS = ("night bus harbour route driver council budget timetable winter station ferry fare school market "
         "bridge ticket late early crowded quiet service line stop weekend shift library island teacher "
         "reporter question answer village water road morning evening").split()
NAMES = ("Mina", "Joon", "Ana", "Tomas", "Li Wei", "Aye", "Dara", "Tenzin", "Noor", "Hoa", "", "")


@dataclass(frozen=True)
class SeedComment:
    author: str
    body: str
    created: datetime
    published: datetime


@dataclass(frozen=True)
class SeedStory:
    key: str
    title: str
    comments: tuple[SeedComment, ...]

    @property
    def path(self) -> str:
        """The article's path on the newsroom's site: Isso's thread `uri`."""
        return f"/{self.key}"


def story_keys() -> list[str]:
    return [HOT_STORY] + [f"story-{i:04d}" for i in range(STORIES)]


def stories(seed: int = 6) -> list[SeedStory]:
    """Every story with its published comments, oldest first."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    result = []
    for index, key in enumerate(story_keys()):
        count = HOT_COMMENTS if key == HOT_STORY else COMMENTS_PER_STORY
        created = start + timedelta(hours=index % 500)
        comments = []
        for _ in range(count):
            created += timedelta(seconds=rng.uniform(20, 600))
            sentences = rng.randint(1, 4)
            body = "\n".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
                for _ in range(sentences))
            comments.append(SeedComment(author=rng.choice(NAMES), body=body, created=created,
                                        published=created + timedelta(minutes=rng.uniform(2, 90))))
        comments.sort(key=lambda c: c.published)
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        result.append(SeedStory(key=key, title=title, comments=tuple(comments)))
    return result
