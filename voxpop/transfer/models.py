"""Where an imported comment came from, so that running an import again adds nothing twice."""
from django.db import models

from voxpop.comments.models import Comment


class ImportedItem(models.Model):
    """One comment imported from an old system, under that system's own id.

    `source` names the system and, where its ids are only unique per site, the site: `disqus`,
    `wordpress:https://blog.example`, `isso:https://news.example/`. `parent_source_id` is the
    old system's id of the comment it replied to, kept so that a reply read before its parent is
    attached once the parent is in (voxpop.transfer.importer).
    """

    source = models.CharField(max_length=300)
    source_id = models.CharField(max_length=200)
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="imported")
    parent_source_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="one_import_per_source_id")]

    def __str__(self):
        return f"{self.source} {self.source_id} -> comment {self.comment_id}"
