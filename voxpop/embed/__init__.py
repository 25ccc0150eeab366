"""Embedding Voxpop in a newsroom's pages: sites and their origins, signed story registration,
comment counts for article lists, and the scripts of the iframe and progressive embeds.

A map:

- models.Site: one newsroom property (its CMS), with the origins its pages are served from, the
  desks it may open stories on and the secret its CMS signs embed parameters with.
- services: site_create / site_origins_set / site_secret_rotate / site_delete (the `voxpop site`
  command's writes).
- signing: the one canonical message a CMS signs to register a story (docs/embedding.md).
- registration.story_for_embed: the story an embed names, created when its signature holds.
- cors: which origins may read the embed routes from a script, and who may frame the thread.
- views.comment_counts: GET /api/v1/counts for article lists.
- static/voxpop/embed.js, frame.js, frame-host.js: the progressive script and both sides of the
  self-sizing iframe.
"""
