"""`make e2e`: the Swagger UI of `voip-rooms serve` in a real, headless Chromium (Debian's, no download).

The page loads with no failed request; "Authorize" takes the demo admin's id and token; "Try it
out" then "Execute" a GET with open=true shows status 200 and "success": true. A screenshot of the
answered page is kept in e2e-artifacts/ (CI's artifact). Runs in its own environment (.venv-e2e,
Playwright's Python package only) against the project's .venv/bin/voip-rooms.
"""

from __future__ import annotations

import sys

from playwright.sync_api import Page, Request, Response, expect, sync_playwright

from tests.e2e.local_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, serve

SCREENSHOT = ARTIFACTS / "swagger-ui.png"
DOCS_PATH = "/api/v1/voip/rooms/docs"
ADMIN_ID, ADMIN_TOKEN = "demo-admin", "demo-admin-token"
TIMEOUT_MS = 30_000


def _authorize(page: Page) -> None:
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    for header, value in (("X-User-Id", ADMIN_ID), ("X-Auth-Token", ADMIN_TOKEN)):
        scheme = dialog.locator(".auth-container", has_text=header)
        scheme.locator("input").fill(value)
        scheme.get_by_role("button", name="Apply credentials").click()
        expect(scheme.get_by_role("button", name="Remove authorization")).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()


def _try_open_rooms(page: Page) -> None:
    operation = page.locator(".opblock-get").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator('tr[data-param-name="open"] select').select_option("true")
    operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table")
    expect(answer.locator("tr.response .response-col_status")).to_have_text("200", timeout=TIMEOUT_MS)
    expect(answer.locator("tr.response .response-col_description")).to_contain_text('"success": true')


def main() -> int:
    server, base = serve()
    failed: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.set_default_timeout(TIMEOUT_MS)

            def request_failed(request: Request) -> None:
                failed.append(f"{request.method} {request.url}: {request.failure}")

            def response(answer: Response) -> None:
                if answer.status >= 400:
                    failed.append(f"{answer.request.method} {answer.url}: {answer.status}")

            page.on("requestfailed", request_failed)
            page.on("response", response)
            page.goto(f"{base}{DOCS_PATH}", wait_until="networkidle")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Rocket.Chat VoIP rooms")
            _authorize(page)
            _try_open_rooms(page)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=SCREENSHOT, full_page=True)
            browser.close()
    finally:
        server.kill()
        server.wait()
    if failed:
        print("e2e: failed requests:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print(f"e2e: Swagger UI authorized, executed, answered 200 with success; screenshot {SCREENSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
