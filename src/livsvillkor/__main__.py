"""The ``livsvillkor`` console script: Django management with the project's settings preset."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livsvillkor.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["livsvillkor", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
