"""Starts the web page: ``python app.py`` (the same as ``qa app``)."""

from qa.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["app"]))
