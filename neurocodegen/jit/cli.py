"""``python -m neurocodegen cache info|clear``: look at and empty the compile cache."""
import argparse
import sys

from . import cache


def _mb(n):
    return f"{n / 1e6:.1f} MB"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m neurocodegen",
                                     description="neurocodegen utilities")
    commands = parser.add_subparsers(dest="command", required=True)
    cache_parser = commands.add_parser("cache", help="the compile cache")
    actions = cache_parser.add_subparsers(dest="action", required=True)
    actions.add_parser("info", help="location, number of entries and size")
    actions.add_parser("clear", help="remove every compiled module")
    args = parser.parse_args(argv)

    if args.action == "info":
        data = cache.info()
        print(f"location:  {data['location']}")
        print(f"entries:   {data['entries']}")
        print(f"size:      {_mb(data['entries_bytes'])} in entries, "
              f"{_mb(data['total_bytes'])} in all")
        print(f"limit:     {_mb(data['limit_bytes'])} (${cache.MAX_MB_ENV_VAR})")
    else:
        before = cache.info()
        removed = cache.clear()
        print(f"Removed {removed} of {before['entries']} entries "
              f"({_mb(before['total_bytes'])}) from {before['location']}")
        if removed < before["entries"]:
            print("The others are being built by a running process.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
