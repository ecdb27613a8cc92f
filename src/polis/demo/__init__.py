"""Demo data for `./polis demo`: a realistic insurer's network, contracts and people.

`build.load_demo()` creates everything in one transaction; `logins.render_logins()` prints who can
log in with what. The management command `demo_data` calls both.
"""
