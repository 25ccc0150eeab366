"""Routing a comment to the desk of its language (being written)."""
from voxpop.desks.models import Desk
from voxpop.stories.models import Story


def desk_for(*, language: str, story: Story) -> Desk:
    """The desk that handles `language`; the story's desk when undetermined or unclaimed."""
    return story.desk
