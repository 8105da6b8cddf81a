"""``python -m studyguide``: the same as the ``studyguide`` command."""

from .cli import main

if __name__ == "__main__":
    main()
