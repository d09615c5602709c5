"""Run the CLI as `python -m assistant`."""

from assistant.cli.app import main

main()
