"""Screenshots of pages as a given user, for looking at them (not a test).

    python tools/screenshots.py --base http://127.0.0.1:8000 --email organiser@tianjiao.demo \
        --password tianjiao2023 --out /tmp/shots /manage /manage/contests/1

Each path is taken at desktop (1280) and phone (375) width, in Chinese and English.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="")
    parser.add_argument("--password", default="tianjiao2023")
    parser.add_argument("--out", default="test-artifacts/shots")
    parser.add_argument("--widths", default="1280,375")
    parser.add_argument("--langs", default="zh,en")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for lang in args.langs.split(","):
            for width in (int(w) for w in args.widths.split(",")):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto(f"{args.base}/lang/{lang}")
                if args.email:
                    page.goto(f"{args.base}/login")
                    page.fill("input[name=email]", args.email)
                    page.fill("input[name=password]", args.password)
                    with page.expect_navigation():
                        page.click("form.stack button[type=submit]")
                for path in args.paths:
                    page.goto(args.base + path)
                    name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "home"
                    target = out / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
