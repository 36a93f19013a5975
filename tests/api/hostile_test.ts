/**
 * Integration: the real server against hostile clients, at small scale
 * (issue 15): idle and slow connections past a low cap, slow uploads, files
 * that cost far more than their size, cross-site shares, malformed requests.
 * Every step also checks that a normal request is still served. Traffic
 * goes to 127.0.0.1 only, bounded in count and time.
 */
import assert from "node:assert/strict";
import { freePort, startTestServer, type TestServer } from "../helpers/server.ts";
import { blankPng, concat, digitImage, jpegBytes, multipart, pngBytes } from "./test_images.ts";

import { buildOnce, ROOT } from "../helpers/build.ts";

/** Low caps and short deadlines, so that every limit is reached in a second or two. */
const ENV = {
  HTTP_MAX_CONNECTIONS: "24",
  HTTP_HEADERS_TIMEOUT_MS: "1000",
  HTTP_KEEP_ALIVE_TIMEOUT_MS: "500",
  HTTP_REQUEST_TIMEOUT_MS: "5000",
  API_CONCURRENCY: "1",
  API_MAX_QUEUED: "1",
  API_BODY_TIMEOUT_MS: "1500",
  // Long enough for a 12 MP image on a busy machine (the looping GIF is in predict_api_test.ts).
  API_DECODE_TIMEOUT_MS: "15000",
};

/**
 * A fresh connection for every request: a keep-alive connection that the
 * server closes as idle just as the next request goes out fails with a
 * broken pipe (an HTTP race no server can prevent), which is not under test.
 */
const noReuse = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
const fetchFresh = (input: string, init: RequestInit = {}) =>
  fetch(input, { ...init, client: noReuse } as RequestInit);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends `head` over a raw TCP connection, then `drip` one byte every
 * `dripMs`, and returns what the server answered once it closed the
 * connection, or null if it was still open after `waitMs`.
 */
async function raw(
  port: number,
  head: string,
  { drip = new Uint8Array(0) as Uint8Array, dripMs = 100, waitMs = 5000 } = {},
): Promise<string | null> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = drip;
  let closed = false;
  const sending = (async () => {
    await conn.write(encoder.encode(head)).catch(() => (closed = true));
    for (let i = 0; i < bytes.length && !closed; i++) {
      await conn.write(bytes.subarray(i, i + 1)).catch(() => (closed = true));
      await new Promise((r) => setTimeout(r, dripMs));
    }
  })();
  let out = "";
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, waitMs);
  let answered: string | null = null;
  try {
    const buf = new Uint8Array(16384);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += decoder.decode(buf.subarray(0, n));
    }
    answered = out;
  } catch {
    // Closed by our own timer (still open: null), or reset by the server (answered).
    answered = timedOut ? null : out;
  } finally {
    clearTimeout(timer);
    closed = true;
  }
  await sending;
  try {
    conn.close();
  } catch { /* already closed */ }
  return answered;
}

/** A normal request, as a real client sends it: must be answered 200 with a reading. */
async function normalRequest(url: string) {
  const res = await fetchFresh(url + "/api/predict", {
    method: "POST",
    body: pngBytes(digitImage(4)) as BodyInit,
    headers: { "Content-Type": "image/png" },
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.images[0].digits, "4");
}

/**
 * The JSON body of `res`, asserting it is JSON; on failure the message shows
 * the answer's start and the end of the server's log.
 */
async function jsonAnswer(res: Response, serverOutput: () => string) {
  const text = await res.text();
  assert.match(
    res.headers.get("Content-Type") ?? "",
    /json/,
    `${res.status} ${text.slice(0, 300)}\n${serverOutput().slice(-1500)}`,
  );
  return JSON.parse(text);
}

async function health(url: string) {
  return await (await fetchFresh(url + "/api/health")).json();
}

async function waitReady(url: string) {
  const deadline = Date.now() + 60_000;
  while ((await health(url)).status !== "ready") {
    assert.ok(Date.now() < deadline, "the model did not load");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Server memory from health: the process and its decoder processes. */
async function serverRss(url: string): Promise<number> {
  const { memory } = await health(url);
  return memory.rss_bytes + memory.decoders_rss_bytes;
}

Deno.test("hostile - the server survives hostile clients and keeps serving normal ones", async (t) => {
  await buildOnce();
  const server: TestServer = await startTestServer(ROOT, ENV);
  const { url, port } = server;
  try {
    await waitReady(url);
    await normalRequest(url);

    await t.step("clients that drip their headers get 408 at the header deadline", async () => {
      const drips = Array.from({ length: 4 }, () =>
        raw(port, "GET /api/health HTTP/1.1\r\n", {
          drip: encoder.encode("Host: 127.0.0.1\r\nX-A: b\r\n"),
          dripMs: 150,
        }));
      await normalRequest(url);
      for (const answer of await Promise.all(drips)) {
        assert.ok(answer !== null, "the connection was closed by the server");
        assert.match(answer, /^HTTP\/1\.1 408 /);
        assert.match(answer, /x-content-type-options: nosniff/i, "with the security headers");
      }
    });

    await t.step(
      "more idle connections than the cap: the idlest are closed, normal requests served",
      async () => {
        const conns: Deno.TcpConn[] = [];
        for (let i = 0; i < 60; i++) {
          conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
        }
        await normalRequest(url);
        await normalRequest(url);
        // Every idle connection ends: evicted at the cap, or at the header deadline.
        const ended = await Promise.all(conns.map(async (conn) => {
          const timer = setTimeout(() => conn.close(), 5000);
          try {
            while ((await conn.read(new Uint8Array(4096))) !== null) { /* the 408 */ }
            return true;
          } catch {
            return false;
          } finally {
            clearTimeout(timer);
            try {
              conn.close();
            } catch { /* closed */ }
          }
        }));
        assert.equal(ended.filter((e) => !e).length, 0, "no idle connection outlived 5 s");
      },
    );

    await t.step(
      "slow uploads hold no queue place: normal requests are served meanwhile",
      async () => {
        const png = pngBytes(digitImage());
        const slow = Array.from({ length: 4 }, () =>
          raw(
            port,
            `POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n` +
              `Content-Length: ${png.length}\r\n\r\n`,
            { drip: png, dripMs: 100, waitMs: 8000 },
          ));
        await new Promise((r) => setTimeout(r, 300));
        for (let i = 0; i < 3; i++) await normalRequest(url);
        for (const answer of await Promise.all(slow)) {
          assert.ok(answer !== null);
          assert.match(answer, /^HTTP\/1\.1 408 /);
          assert.match(answer, /"code":"body_timeout"/);
        }
      },
    );

    await t.step("a 50,000,000×1 PNG of 48 KB is refused from its header", async () => {
      const line = await blankPng(50_000_000, 1);
      assert.ok(line.length < 100_000, `${line.length} bytes`);
      const res = await fetchFresh(url + "/api/predict", {
        method: "POST",
        body: line as BodyInit,
      });
      const body = await res.json();
      assert.equal(res.status, 413);
      assert.equal(body.error.code, "bad_aspect_ratio");
      await normalRequest(url);
    });

    await t.step(
      "many images that decode to far more than their size: one pixel budget per request",
      async () => {
        const big = await blankPng(4000, 4000); // 16 MP in a few KB
        const form = multipart(
          Array.from({ length: 5 }, (_, i) => ({ bytes: big, name: `${i}.png` })),
        );
        const res = await fetchFresh(url + "/api/predict", { method: "POST", body: form });
        const body = await jsonAnswer(res, server.output);
        assert.equal(res.status, 413, JSON.stringify(body));
        assert.equal(body.error.code, "too_many_pixels");
        assert.match(body.error.message, /per request/);
        await normalRequest(url);
      },
    );

    await t.step("memory returns to its baseline after decoding a large image", async () => {
      const before = await serverRss(url);
      const big = await blankPng(6000, 6000); // 36 MP: the decoder's memory grows by 150+ MB
      const res = await fetchFresh(url + "/api/predict", { method: "POST", body: big as BodyInit });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.images[0].no_digit, true);
      // The decoder that took it is replaced; its successor starts small.
      let after = Infinity;
      for (let i = 0; i < 50 && after > before + 64 * 2 ** 20; i++) {
        await new Promise((r) => setTimeout(r, 200));
        after = await serverRss(url);
      }
      assert.ok(
        after < before + 64 * 2 ** 20,
        `RSS ${Math.round(before / 2 ** 20)} MB before, ${Math.round(after / 2 ** 20)} MB after`,
      );
      await normalRequest(url);
    });

    await t.step(
      "a JPEG whose header claims 7000×7000 over 5 KB of data is refused as truncated",
      async () => {
        const small = jpegBytes(digitImage());
        const lying = small.slice();
        // The SOF0 frame header's height and width.
        const sof = lying.findIndex((b, i) => b === 0xff && lying[i + 1] === 0xc0);
        new DataView(lying.buffer).setUint16(sof + 5, 7000);
        new DataView(lying.buffer).setUint16(sof + 7, 7000);
        const res = await fetchFresh(url + "/api/predict", {
          method: "POST",
          body: lying as BodyInit,
        });
        const body = await jsonAnswer(res, server.output);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.equal(body.error.code, "truncated");
      },
    );

    await t.step("a decodable JPEG with a malformed EXIF block is read", async () => {
      const good = jpegBytes(digitImage(4));
      const exif = concat(
        encoder.encode("Exif\0\0MM\0*"),
        new Uint8Array([0, 0, 0, 8, 0, 1, 1, 0x12]),
      );
      const app1 = concat(new Uint8Array([0xff, 0xe1, 0, exif.length + 2]), exif);
      const withExif = concat(good.subarray(0, 2), app1, good.subarray(2));
      const res = await fetchFresh(url + "/api/predict", {
        method: "POST",
        body: withExif as BodyInit,
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.images[0].digits, "4");
    });

    await t.step("a cross-site share is refused; a same-origin one is kept", async () => {
      const form = multipart([{ bytes: pngBytes(digitImage()), name: "a.png" }], "images");
      const cross = await fetchFresh(url + "/share-target", {
        method: "POST",
        body: form,
        headers: { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" },
        redirect: "manual",
      });
      assert.equal(cross.status, 403);
      assert.match(cross.headers.get("Content-Type") ?? "", /text\/html/);
      assert.equal(cross.headers.get("X-Frame-Options"), "DENY");
      await cross.body?.cancel();
      const foreignOrigin = await fetchFresh(url + "/share-target", {
        method: "POST",
        body: form,
        headers: { Origin: "https://evil.example" },
        redirect: "manual",
      });
      assert.equal(foreignOrigin.status, 403);
      await foreignOrigin.body?.cancel();
      const same = await fetchFresh(url + "/share-target", {
        method: "POST",
        body: form,
        headers: { "Sec-Fetch-Site": "same-origin", Origin: url },
        redirect: "manual",
      });
      assert.equal(same.status, 303);
      assert.match(same.headers.get("Location") ?? "", /^\/\?shared=/);
      await same.body?.cancel();
    });

    await t.step(
      "a share body that stalls gets 408; a huge one is cut off while streaming",
      async () => {
        const stalled = await raw(
          port,
          "POST /share-target HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; " +
            "boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n--x\r\n\r\n",
          { waitMs: 8000 },
        );
        assert.ok(stalled !== null);
        assert.match(stalled, /^HTTP\/1\.1 408 /);
        let sent = 0;
        const huge = new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += 1 << 20;
            if (sent > 200 << 20) controller.close();
            else controller.enqueue(new Uint8Array(1 << 20));
          },
        });
        const res = await fetchFresh(url + "/share-target", {
          method: "POST",
          body: huge,
          headers: { "Content-Type": "multipart/form-data; boundary=x" },
          redirect: "manual",
        }).catch(() => null);
        if (res) {
          // Over the cap (413), or cut at the body deadline first on a slow machine (408).
          assert.ok([408, 413].includes(res.status), `${res.status}`);
          await res.body?.cancel();
        }
        assert.ok(sent < 100 << 20, `the server stopped reading after ${sent >> 20} MB`);
        await normalRequest(url);
      },
    );

    await t.step(
      "malformed requests get the JSON error or the error page, with security headers",
      async () => {
        const hosts = ["a b", '"x"', "<x>", "%zz", "[::1", "a?b", "a#b"];
        for (const host of hosts) {
          const api = await raw(
            port,
            `POST /api/predict HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`,
          );
          assert.ok(api !== null);
          assert.match(api, /^HTTP\/1\.1 400 /, `Host: ${host}`);
          assert.match(api, /content-type: application\/json/i, `Host: ${host}`);
          assert.match(api, /"code":"bad_request"/);
          assert.match(api, /content-security-policy: /i);
          const page = await raw(port, `GET /about HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
          assert.ok(page !== null);
          assert.match(page, /^HTTP\/1\.1 400 /, `Host: ${host}`);
          assert.match(page, /content-type: text\/html/i);
          assert.match(page, /x-content-type-options: nosniff/i);
        }
        // A header name with a space: the parser refuses it before any route runs.
        const broken = await raw(
          port,
          "GET /api/health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
        );
        assert.ok(broken !== null);
        assert.match(broken, /^HTTP\/1\.1 400 /);
        assert.match(broken, /"code":"bad_request"/);
        assert.match(broken, /x-frame-options: DENY/i);
        const log = server.output();
        assert.match(log, /invalid Host header/);
        assert.doesNotMatch(log, /^\s+at /m, "no stack trace in the log");
        await normalRequest(url);
      },
    );

    await t.step("405 on a page names the methods it allows", async () => {
      const res = await fetchFresh(url + "/about", { method: "DELETE" });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("Allow"), "GET, HEAD");
      await res.body?.cancel();
    });

    await t.step("RSS stayed under 1 GB through all of it", async () => {
      assert.ok((await serverRss(url)) < 2 ** 30);
      assert.doesNotMatch(server.output(), /Uncaught|Too many open files/);
    });
  } finally {
    await server.close();
  }
});

Deno.test({
  name: "hostile - a model path that never answers fails health in time, with a true Retry-After",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const fifo = `${dir}/model.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    const server = await startTestServer(ROOT, {
      ...ENV,
      MODEL_PATH: fifo,
      API_MODEL_LOAD_TIMEOUT_MS: "1000",
    });
    try {
      let body;
      for (let i = 0; i < 50; i++) {
        body = await health(server.url);
        if (body.status === "failed") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(body.status, "failed", "not stuck at loading");
      const res = await fetchFresh(server.url + "/api/predict", {
        method: "POST",
        body: pngBytes(digitImage()) as BodyInit,
      });
      const error = await res.json();
      assert.equal(res.status, 503);
      assert.equal(error.error.code, "model_unavailable");
      const retryAfter = Number(res.headers.get("Retry-After"));
      assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After: ${retryAfter}`);
      assert.deepEqual((await health(server.url)).queue.running, 0, "no queue place held");
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "hostile - out of file descriptors, the server refuses, logs once and keeps serving",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const port = freePort();
    // A cap above the descriptor limit, so that connections do run the process out of them.
    const child = new Deno.Command("bash", {
      args: ["-c", `ulimit -n 256 && exec "${Deno.execPath()}" run -A main.ts`],
      cwd: ROOT,
      env: { PORT: String(port), HTTP_MAX_CONNECTIONS: "2000", HTTP_HEADERS_TIMEOUT_MS: "3000" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let log = "";
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) log += decoder.decode(chunk);
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    const url = `http://127.0.0.1:${port}`;
    const answers = async () => {
      const res = await fetchFresh(url + "/api/health", { signal: AbortSignal.timeout(1000) })
        .catch(() => null);
      await res?.body?.cancel();
      return res !== null;
    };
    try {
      for (let i = 0; i < 300 && !(await answers()); i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const conns: Deno.TcpConn[] = [];
      for (let i = 0; i < 400; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      await new Promise((r) => setTimeout(r, 1000));
      for (const conn of conns) conn.close();
      let back = false;
      for (let i = 0; i < 20 && !back; i++) {
        await new Promise((r) => setTimeout(r, 500));
        back = await answers();
      }
      assert.ok(back, `the server answers again:\n${log}`);
      // Once per incident, not once per refused connection.
      const relistens = log.match(/listening again/g)?.length ?? 0;
      assert.ok(relistens >= 1 && relistens <= 3, log);
      assert.doesNotMatch(log, /Uncaught|panicked/);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await pumps;
    }
  },
});
