"""`voxpop site ...`: the sites whose pages embed Voxpop (wired into voxpop/cli.py).

Imports of Django code stay inside the handlers: the command sets up Django first (`setup`).
"""
import argparse
import sys
from collections.abc import Callable


def add_site_commands(sub, *, setup: Callable[[], None]) -> None:
    """Add `site add|list|set|rotate-secret|remove|sign` to the `voxpop` command's subparsers."""
    site = sub.add_parser("site", help="sites that embed Voxpop: their origins (CORS, iframe) and signing secret")
    site_sub = site.add_subparsers(title="site commands", metavar="COMMAND")

    def command(name: str, handler, **kwargs) -> argparse.ArgumentParser:
        parser = site_sub.add_parser(name, **kwargs)
        parser.set_defaults(handler=lambda args: setup() or handler(args))
        return parser

    add = command("add", _add, help="register a site; prints its signing secret alone on standard output",
                  description="Register a site (one CMS): the origins its pages are served from, which may read "
                              "the embed routes from a script and frame the thread, and the desks its signed "
                              "embeds may open stories on. The signing secret is printed alone on standard output.")
    add.add_argument("name", help="short name (letters, digits, -), sent by the CMS as `site`")
    add.add_argument("--origin", action="append", default=[], metavar="ORIGIN", required=True,
                     help="an origin such as https://news.example (repeatable)")
    add.add_argument("--desk", action="append", default=[], metavar="KEY",
                     help="a desk the site's signed embeds may open stories on (repeatable)")

    command("list", _list, help="list the sites with their origins and desks (never the secrets)")

    update = command("set", _set, help="replace a site's origins and/or desks")
    update.add_argument("name")
    update.add_argument("--origin", action="append", default=None, metavar="ORIGIN",
                        help="the site's origins, replacing the present ones (repeatable)")
    update.add_argument("--desk", action="append", default=None, metavar="KEY",
                        help="the site's desks, replacing the present ones (repeatable)")

    rotate = command("rotate-secret", _rotate, help="give a site a new signing secret (printed alone on standard "
                                                    "output); the old one stops working at once")
    rotate.add_argument("name")

    remove = command("remove", _remove, help="forget a site (its stories stay)")
    remove.add_argument("name")

    sign = command("sign", _sign, help="print the signed query string that registers a story from an embed "
                                       "(what a CMS template computes; see docs/embedding.md)")
    sign.add_argument("name")
    for field in ("key", "title", "url", "language", "desk"):
        sign.add_argument(f"--{field}", required=True)
    sign.add_argument("--days", type=int, default=30, help="days the signature stays valid (default: 30)")
    site.set_defaults(handler=lambda args: site.print_help() or 2)


def _site(name: str):
    from .models import Site

    site = Site.objects.filter(name=name).first()
    if site is None:
        sys.exit(f"voxpop: no site is named {name!r} (see `voxpop site list`).")
    return site


def _add(args) -> int:
    from voxpop.common import clock

    from .services import SiteRefused, site_create

    try:
        site = site_create(name=args.name, origins=args.origin, desk_keys=args.desk, now=clock.now())
    except SiteRefused as refused:
        print(f"voxpop: {refused.reason}", file=sys.stderr)
        return 1
    print(f"Site {site.name}: origins {' '.join(site.origins)}; desks {' '.join(args.desk) or '(none)'}\n"
          "Signing secret on standard output; keep it in the CMS's configuration.", file=sys.stderr)
    print(site.secret)
    return 0


def _list(args) -> int:
    from .models import Site

    for site in Site.objects.prefetch_related("desks"):
        print(f"{site.name}\t{' '.join(site.origins)}\t{','.join(d.key for d in site.desks.all()) or '-'}")
    return 0


def _set(args) -> int:
    from voxpop.common import clock

    from .services import SiteRefused, site_update

    try:
        site = site_update(site=_site(args.name), origins=args.origin, desk_keys=args.desk, now=clock.now())
    except SiteRefused as refused:
        print(f"voxpop: {refused.reason}", file=sys.stderr)
        return 1
    print(f"Site {site.name}: origins {' '.join(site.origins)}; "
          f"desks {' '.join(d.key for d in site.desks.all()) or '(none)'}", file=sys.stderr)
    return 0


def _rotate(args) -> int:
    from voxpop.common import clock

    from .services import site_secret_rotate

    print(site_secret_rotate(site=_site(args.name), now=clock.now()))
    return 0


def _remove(args) -> int:
    from .services import site_delete

    site_delete(site=_site(args.name))
    return 0


def _sign(args) -> int:
    from urllib.parse import urlencode

    from voxpop.common import clock

    from .signing import registration_sign

    site = _site(args.name)
    fields = {"site": site.name, "key": args.key, "title": args.title, "url": args.url, "language": args.language,
              "desk": args.desk, "expires": str(int(clock.now().timestamp()) + args.days * 86400)}
    try:
        signature = registration_sign(secret=site.secret, fields=fields)
    except ValueError as error:
        print(f"voxpop: {error}", file=sys.stderr)
        return 1
    query = {name: value for name, value in fields.items() if name != "key"}
    print(urlencode({**query, "signature": signature}))
    return 0
