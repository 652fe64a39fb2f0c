"""The public face (blueprint ``public``, ``/public/…``, no login): released competitions and
their published results, the medal table by region and a search by name. What the pages read
is ``services.public_results`` (the search: ``services.public_search``); how a person is
named is ``services.public_names``."""
