// One browser tab, as the journeys see it, whatever drives it: Playwright for Chromium,
// WebDriver (selenium-webdriver) for Firefox and WebKit. The journeys only ever call this
// interface, so each engine runs exactly the same steps.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import type { ElementHandle, Page } from "@playwright/test";
import { Builder, By, Key, until, type WebDriver, type WebElement } from "selenium-webdriver";
import * as firefox from "selenium-webdriver/firefox.js";

export type Engine = "chromium" | "firefox" | "webkit";
export type KeyName = "Tab" | "Enter" | "Escape" | "ArrowRight";

/** How long a journey waits for something a donor would wait for. */
export const PATIENCE_MS = 20_000;

export interface Control {
  click(): Promise<void>;
  /** Replaces the field's value, as a donor typing it. */
  fill(text: string): Promise<void>;
  focus(): Promise<void>;
  screenshot(path: string): Promise<void>;
}

export interface Tab {
  readonly engine: Engine;
  /** Opens a path of the test pages server (or a full URL). */
  goto(path: string): Promise<void>;
  url(): Promise<string>;
  /** Runs a self-contained function (see page.ts) in the page. */
  run<A, R>(fn: (arg: A) => R, arg: A): Promise<R>;
  /** Waits until `fn(arg)` returns an element, and returns it. */
  find<A>(fn: (arg: A) => Element | null, arg: A): Promise<Control>;
  press(key: KeyName): Promise<void>;
  /** Types into whatever has focus. */
  type(text: string): Promise<void>;
  /** Sets the page's viewport (the window's inner size). */
  viewport(width: number, height: number): Promise<void>;
}

// ---------------------------------------------------------------- Playwright (Chromium)

class PlaywrightControl implements Control {
  constructor(private readonly element: ElementHandle) {}
  click() {
    return this.element.click();
  }
  fill(text: string) {
    return this.element.fill(text);
  }
  focus() {
    return this.element.focus();
  }
  async screenshot(path: string) {
    await this.element.screenshot({ path });
  }
}

export class PlaywrightTab implements Tab {
  readonly engine = "chromium";
  constructor(private readonly page: Page) {}
  async goto(path: string) {
    await this.page.goto(path);
  }
  async url() {
    return this.page.url();
  }
  run<A, R>(fn: (arg: A) => R, arg: A): Promise<R> {
    return this.page.evaluate(fn as (arg: A) => R, arg) as Promise<R>;
  }
  async find<A>(fn: (arg: A) => Element | null, arg: A) {
    const handle = await this.page.waitForFunction(fn, arg, { timeout: PATIENCE_MS });
    return new PlaywrightControl(handle.asElement()!);
  }
  press(key: KeyName) {
    return this.page.keyboard.press(key);
  }
  type(text: string) {
    return this.page.keyboard.type(text);
  }
  viewport(width: number, height: number) {
    return this.page.setViewportSize({ width, height });
  }
}

// ---------------------------------------------------------------- WebDriver (Firefox, WebKit)

const KEYS: Record<KeyName, string> = {
  Tab: Key.TAB,
  Enter: Key.ENTER,
  Escape: Key.ESCAPE,
  ArrowRight: Key.ARROW_RIGHT,
};

class WebDriverControl implements Control {
  constructor(
    private readonly driver: WebDriver,
    private readonly element: WebElement,
  ) {}
  click() {
    return this.element.click();
  }
  async fill(text: string) {
    await this.element.clear();
    await this.element.sendKeys(text);
  }
  async focus() {
    await this.driver.executeScript((el: HTMLElement) => el.focus(), this.element);
  }
  async screenshot(path: string) {
    // WebKitGTK under Xvfb captures the last frame it painted: scroll the element to the top
    // of the viewport, and let two frames be painted first.
    await this.driver.executeScript(
      (el: HTMLElement) =>
        new Promise((painted) => {
          el.scrollIntoView({ block: "start" });
          requestAnimationFrame(() => requestAnimationFrame(painted));
        }),
      this.element,
    );
    writeFileSync(path, Buffer.from(await this.element.takeScreenshot(), "base64"));
  }
}

export class WebDriverTab implements Tab {
  /** Set when the window can't be as narrow as asked: pages then open in a frame that is. */
  private frame: { width: number; height: number } | null = null;

  constructor(
    readonly engine: Engine,
    readonly driver: WebDriver,
    private readonly baseUrl: string,
  ) {}
  async goto(path: string) {
    const url = new URL(path, this.baseUrl).href;
    await this.driver.switchTo().defaultContent();
    if (!this.frame) return this.driver.get(url);
    const { width, height } = this.frame;
    await this.driver.get(
      new URL(
        `/e2e/frame.html?${new URLSearchParams({ width: `${width}`, height: `${height}`, src: url })}`,
        this.baseUrl,
      ).href,
    );
    await this.driver.switchTo().frame(await this.driver.wait(until.elementLocated(By.css("iframe")), PATIENCE_MS));
    await this.driver.wait(() => this.driver.executeScript("return document.readyState === 'complete'"), PATIENCE_MS);
  }
  async url() {
    return this.frame
      ? ((await this.driver.executeScript("return location.href")) as string)
      : this.driver.getCurrentUrl();
  }
  run<A, R>(fn: (arg: A) => R, arg: A): Promise<R> {
    return this.driver.executeScript(fn, arg) as Promise<R>;
  }
  async find<A>(fn: (arg: A) => Element | null, arg: A) {
    const element = await this.driver.wait(
      () => this.driver.executeScript(fn, arg) as Promise<WebElement | null>,
      PATIENCE_MS,
      `never found ${JSON.stringify(arg)}`,
    );
    return new WebDriverControl(this.driver, element as WebElement);
  }
  async press(key: KeyName) {
    await this.driver.actions().sendKeys(KEYS[key]).perform();
  }
  async type(text: string) {
    await this.driver.actions().sendKeys(text).perform();
  }
  async viewport(width: number, height: number) {
    // WebDriver sizes the window, frame included (MiniBrowser's toolbar, say): size it
    // again by what that left for the page.
    const window = this.driver.manage().window();
    await window.setRect({ width, height });
    const [innerWidth, innerHeight] = (await this.driver.executeScript("return [innerWidth, innerHeight]")) as number[];
    await window.setRect({ width: 2 * width - innerWidth, height: 2 * height - innerHeight });
    const [reached] = (await this.driver.executeScript("return [innerWidth]")) as number[];
    // MiniBrowser's window stops at about 450 px wide: narrower viewports are framed.
    this.frame = reached > width ? { width, height } : null;
  }
  async screenshot(path: string) {
    writeFileSync(path, Buffer.from(await this.driver.takeScreenshot(), "base64"));
  }
}

/** A WebDriver server for one engine, started once per test worker; a session per test. */
export interface WebDriverServer {
  session(): Promise<WebDriver>;
  stop(): Promise<void>;
}

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForStatus(url: string, child: ChildProcess) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the WebDriver server exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no WebDriver server at ${url}`);
}

export async function startWebDriver(engine: "firefox" | "webkit"): Promise<WebDriverServer> {
  // Selenium Manager must download nothing: drivers and browsers come from setup.
  process.env.SE_OFFLINE = "true";
  if (engine === "firefox") {
    const geckodriver = process.env.GECKODRIVER ?? `${homedir()}/.cargo/bin/geckodriver`;
    const service = new firefox.ServiceBuilder(geckodriver).build();
    const url = await service.start();
    return {
      session: () =>
        new Builder()
          .usingServer(url)
          .forBrowser("firefox")
          .setFirefoxOptions(new firefox.Options().setBinary("/usr/bin/firefox-esr").addArguments("-headless"))
          .build(),
      stop: () => service.kill(),
    };
  }
  // MiniBrowser has no headless mode: the driver and its browsers run in their own Xvfb,
  // with a screen larger than any window asked for (xvfb-run's default, 1280×1024, is
  // narrower than a 1280 px viewport with its window frame).
  const port = await freePort();
  const xvfb = ["-a", "-s", "-screen 0 1920x1200x24", "WebKitWebDriver", `--port=${port}`];
  const child = spawn("xvfb-run", xvfb, { detached: true, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(url, child);
  return {
    session: () =>
      new Builder()
        .usingServer(url)
        .withCapabilities({
          browserName: "MiniBrowser",
          "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
        })
        .build(),
    stop: async () => {
      // xvfb-run, Xvfb and the driver share a process group.
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    },
  };
}
