"""The meeting-room display (会议大屏): full-screen panels read from across a room.

大屏 conventions: every panel is drawn on a 1920×1080 design canvas (lengths in display.css are
design pixels, written `28u`) that the browser scales to the screen — 2× on a 4K screen,
letterboxed on other shapes — with a header (title, clock, "n/N" indicator), KPI cards, a
centre figure and lists that roll when they are longer than their box. Smallest text 24 px at
1080p, body 28 px.

One concern per module:

* `reads`: what the panels read beyond the other read functions, one `f(con, area, month)` per
  panel that needs more than one read (the page caches them);
* `standing`, `work`, `figures`: panel builders, data → context → template, returning
  (body, footer note);
* `plots`: column charts (HTML) and line charts (SVG);
* `frame`: the panel registry `PANELS`, URL parameters, the header and footer, KPI cards;
* `render`: the Jinja2 environment (autoescape on, every value escaped by etl.safetext), the
  page's CSS (display.css) and clock script (clock.js);
* `templates/`: one template per panel, the frame, charts and shared macros.
"""
