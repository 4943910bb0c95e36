"""``python -m desktop`` runs the app, like the ``taskdesk`` gui-script."""

from desktop.app import main

raise SystemExit(main())
