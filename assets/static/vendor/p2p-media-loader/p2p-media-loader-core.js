//#region \0rolldown/runtime.js
var e = Object.create, t = Object.defineProperty, n = Object.getOwnPropertyDescriptor, r = Object.getOwnPropertyNames, i = Object.getPrototypeOf, a = Object.prototype.hasOwnProperty, o = (e, t) => () => (e && (t = e(e = 0)), t), s = (e, t) => () => (t || (e((t = { exports: {} }).exports, t), e = null), t.exports), c = (e, n) => {
	let r = {};
	for (var i in e) t(r, i, {
		get: e[i],
		enumerable: !0
	});
	return n || t(r, Symbol.toStringTag, { value: "Module" }), r;
}, l = (e, i, o, s) => {
	if (i && typeof i == "object" || typeof i == "function") for (var c = r(i), l = 0, u = c.length, d; l < u; l++) d = c[l], !a.call(e, d) && d !== o && t(e, d, {
		get: ((e) => i[e]).bind(null, d),
		enumerable: !(s = n(i, d)) || s.enumerable
	});
	return e;
}, u = (n, r, a) => (a = n == null ? {} : e(i(n)), l(r || !n || !n.__esModule ? t(a, "default", {
	value: n,
	enumerable: !0
}) : a, n)), d = class extends Error {
	timestamp;
	constructor(e, t) {
		super(t), this.type = e, this.timestamp = performance.now();
	}
}, f = class extends Error {
	constructor(e) {
		super(), this.type = e;
	}
}, p = class {
	abortController = new AbortController();
	expectedBytesLength;
	requestByteRange;
	onChunkDownloaded;
	constructor(e, t, n) {
		this.request = e, this.httpConfig = t, this.onChunkDownloaded = n.getEventDispatcher("onChunkDownloaded");
		let { byteRange: r } = this.request.segment;
		r && (this.requestByteRange = { ...r });
	}
	execute() {
		let e = {
			abort: () => this.abortController.abort("abort"),
			notReceivingBytesTimeoutMs: this.httpConfig.httpNotReceivingBytesTimeoutMs
		};
		if (this.request.tryCompleteByLoadedBytes({ downloadSource: "http" }, e, this.httpConfig.validateHTTPSegment, "http-segment-validation-failed")) return;
		this.request.loadedBytes !== 0 && (this.requestByteRange = this.requestByteRange ?? { start: 0 }, this.requestByteRange.start = this.requestByteRange.start + this.request.loadedBytes), this.request.totalBytes && (this.expectedBytesLength = this.request.totalBytes - this.request.loadedBytes);
		let t = this.request.start({ downloadSource: "http" }, e);
		this.fetch(t);
	}
	async fetch(e) {
		let { segment: t } = this.request;
		try {
			let n = await this.httpConfig.httpRequestSetup?.(t.url, t.byteRange, this.abortController.signal, this.requestByteRange);
			if (!n) {
				let e = new Headers(this.requestByteRange ? { Range: `bytes=${this.requestByteRange.start}-${this.requestByteRange.end ?? ""}` } : void 0);
				n = new Request(t.url, {
					headers: e,
					signal: this.abortController.signal
				});
			}
			if (this.abortController.signal.aborted) throw new DOMException("Request aborted before request fetch", "AbortError");
			let r = await window.fetch(n);
			if (this.handleResponseHeaders(r), !r.body) throw new d("http-error", "Missing response body");
			e.firstBytesReceived();
			let i = r.body.getReader();
			for await (let t of ee(i)) e.addLoadedChunk(t), this.onChunkDownloaded(t.byteLength, "http");
			if (this.request.totalBytes !== void 0 && this.request.loadedBytes !== this.request.totalBytes) throw new d("http-bytes-mismatch", `HTTP response truncated: received ${this.request.loadedBytes} of ${this.request.totalBytes} bytes`);
			if (!await this.request.validateData(this.httpConfig.validateHTTPSegment)) throw this.request.clearLoadedBytes(), new d("http-segment-validation-failed");
			e.completeOnSuccess();
		} catch (t) {
			this.handleError(t, e);
		}
	}
	handleResponseHeaders(e) {
		if (!e.ok) throw e.status === 406 || e.status === 416 ? (this.request.clearLoadedBytes(), new d("http-bytes-mismatch", e.statusText)) : new d("http-error", e.statusText);
		let { requestByteRange: t } = this;
		if (t) if (e.status === 200) {
			if (this.request.segment.byteRange) throw new d("http-unexpected-status-code");
			this.request.clearLoadedBytes();
		} else {
			if (e.status !== 206) throw new d("http-unexpected-status-code", e.statusText);
			let n = e.headers.get("Content-Length");
			if (n && this.expectedBytesLength !== void 0 && this.expectedBytesLength !== +n) throw this.request.clearLoadedBytes(), new d("http-bytes-mismatch", e.statusText);
			let r = e.headers.get("Content-Range"), i = r ? h(r) : void 0;
			if (i) {
				let { from: n, to: r } = i, a = r !== void 0 && n !== void 0 ? r - n + 1 : void 0;
				if (a !== void 0 && this.expectedBytesLength !== a || n !== void 0 && t.start !== n || r !== void 0 && t.end !== void 0 && t.end !== r) throw this.request.clearLoadedBytes(), new d("http-bytes-mismatch", e.statusText);
			}
		}
		if (e.status === 200 && this.request.totalBytes === void 0) {
			let t = e.headers.get("Content-Length");
			t && this.request.setTotalBytes(+t);
		}
	}
	handleError(e, t) {
		if (!this.abortController.signal.aborted && e instanceof Error) {
			let n = e instanceof d ? e : new d("http-error", e.message);
			t.abortOnError(n);
		}
	}
};
async function* ee(e) {
	for (;;) {
		let { done: t, value: n } = await e.read();
		if (t) break;
		yield n;
	}
}
var m = /^bytes (?:(?:(\d+)|)-(?:(\d+)|)|\*)\/(?:(\d+)|\*)$/;
function h(e) {
	let t = m.exec(e.trim());
	if (!t) return;
	let [, n, r, i] = t;
	return {
		from: n ? parseInt(n) : void 0,
		to: r ? parseInt(r) : void 0,
		total: i ? parseInt(i) : void 0
	};
}
//#endregion
//#region ../../node_modules/.pnpm/vite-plugin-node-polyfills@0.26.0_vite@8.0.11_@types+node@25.6.1_jiti@2.7.0_yaml@2.8.4_/node_modules/vite-plugin-node-polyfills/shims/process/dist/index.js
function g(e) {
	return e && e.__esModule && Object.prototype.hasOwnProperty.call(e, "default") ? e.default : e;
}
function _() {
	throw Error("setTimeout has not been defined");
}
function v() {
	throw Error("clearTimeout has not been defined");
}
function y(e) {
	if (w === setTimeout) return setTimeout(e, 0);
	if ((w === _ || !w) && setTimeout) return w = setTimeout, setTimeout(e, 0);
	try {
		return w(e, 0);
	} catch {
		try {
			return w.call(null, e, 0);
		} catch {
			return w.call(this, e, 0);
		}
	}
}
function b(e) {
	if (T === clearTimeout) return clearTimeout(e);
	if ((T === v || !T) && clearTimeout) return T = clearTimeout, clearTimeout(e);
	try {
		return T(e);
	} catch {
		try {
			return T.call(null, e);
		} catch {
			return T.call(this, e);
		}
	}
}
function te() {
	!D || !O || (D = !1, O.length ? E = O.concat(E) : k = -1, E.length && ne());
}
function ne() {
	if (!D) {
		var e = y(te);
		D = !0;
		for (var t = E.length; t;) {
			for (O = E, E = []; ++k < t;) O && O[k].run();
			k = -1, t = E.length;
		}
		O = null, D = !1, b(e);
	}
}
function re(e, t) {
	this.fun = e, this.array = t;
}
function x() {}
var S, C, w, T, E, D, O, k, ie, A, ae = o((() => {
	S = { exports: {} }, C = S.exports = {}, (function() {
		try {
			w = typeof setTimeout == "function" ? setTimeout : _;
		} catch {
			w = _;
		}
		try {
			T = typeof clearTimeout == "function" ? clearTimeout : v;
		} catch {
			T = v;
		}
	})(), E = [], D = !1, k = -1, C.nextTick = function(e) {
		var t = Array(arguments.length - 1);
		if (arguments.length > 1) for (var n = 1; n < arguments.length; n++) t[n - 1] = arguments[n];
		E.push(new re(e, t)), E.length === 1 && !D && y(ne);
	}, re.prototype.run = function() {
		this.fun.apply(null, this.array);
	}, C.title = "browser", C.browser = !0, C.env = {}, C.argv = [], C.version = "", C.versions = {}, C.on = x, C.addListener = x, C.once = x, C.off = x, C.removeListener = x, C.removeAllListeners = x, C.emit = x, C.prependListener = x, C.prependOnceListener = x, C.listeners = function(e) {
		return [];
	}, C.binding = function(e) {
		throw Error("process.binding is not supported");
	}, C.cwd = function() {
		return "/";
	}, C.chdir = function(e) {
		throw Error("process.chdir is not supported");
	}, C.umask = function() {
		return 0;
	}, ie = S.exports, A = /* @__PURE__ */ g(ie);
})), oe = /* @__PURE__ */ s(((e, t) => {
	var n = 1e3, r = n * 60, i = r * 60, a = i * 24, o = a * 7, s = a * 365.25;
	t.exports = function(e, t) {
		t ||= {};
		var n = typeof e;
		if (n === "string" && e.length > 0) return c(e);
		if (n === "number" && isFinite(e)) return t.long ? u(e) : l(e);
		throw Error("val is not a non-empty string or a valid number. val=" + JSON.stringify(e));
	};
	function c(e) {
		if (e = String(e), !(e.length > 100)) {
			var t = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(e);
			if (t) {
				var c = parseFloat(t[1]);
				switch ((t[2] || "ms").toLowerCase()) {
					case "years":
					case "year":
					case "yrs":
					case "yr":
					case "y": return c * s;
					case "weeks":
					case "week":
					case "w": return c * o;
					case "days":
					case "day":
					case "d": return c * a;
					case "hours":
					case "hour":
					case "hrs":
					case "hr":
					case "h": return c * i;
					case "minutes":
					case "minute":
					case "mins":
					case "min":
					case "m": return c * r;
					case "seconds":
					case "second":
					case "secs":
					case "sec":
					case "s": return c * n;
					case "milliseconds":
					case "millisecond":
					case "msecs":
					case "msec":
					case "ms": return c;
					default: return;
				}
			}
		}
	}
	function l(e) {
		var t = Math.abs(e);
		return t >= a ? Math.round(e / a) + "d" : t >= i ? Math.round(e / i) + "h" : t >= r ? Math.round(e / r) + "m" : t >= n ? Math.round(e / n) + "s" : e + "ms";
	}
	function u(e) {
		var t = Math.abs(e);
		return t >= a ? d(e, t, a, "day") : t >= i ? d(e, t, i, "hour") : t >= r ? d(e, t, r, "minute") : t >= n ? d(e, t, n, "second") : e + " ms";
	}
	function d(e, t, n, r) {
		var i = t >= n * 1.5;
		return Math.round(e / n) + " " + r + (i ? "s" : "");
	}
})), se = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		n.debug = n, n.default = n, n.coerce = c, n.disable = o, n.enable = i, n.enabled = s, n.humanize = oe(), n.destroy = l, Object.keys(e).forEach((t) => {
			n[t] = e[t];
		}), n.names = [], n.skips = [], n.formatters = {};
		function t(e) {
			let t = 0;
			for (let n = 0; n < e.length; n++) t = (t << 5) - t + e.charCodeAt(n), t |= 0;
			return n.colors[Math.abs(t) % n.colors.length];
		}
		n.selectColor = t;
		function n(e) {
			let t, i = null, a, o;
			function s(...e) {
				if (!s.enabled) return;
				let r = s, i = Number(/* @__PURE__ */ new Date());
				r.diff = i - (t || i), r.prev = t, r.curr = i, t = i, e[0] = n.coerce(e[0]), typeof e[0] != "string" && e.unshift("%O");
				let a = 0;
				e[0] = e[0].replace(/%([a-zA-Z%])/g, (t, i) => {
					if (t === "%%") return "%";
					a++;
					let o = n.formatters[i];
					if (typeof o == "function") {
						let n = e[a];
						t = o.call(r, n), e.splice(a, 1), a--;
					}
					return t;
				}), n.formatArgs.call(r, e), (r.log || n.log).apply(r, e);
			}
			return s.namespace = e, s.useColors = n.useColors(), s.color = n.selectColor(e), s.extend = r, s.destroy = n.destroy, Object.defineProperty(s, "enabled", {
				enumerable: !0,
				configurable: !1,
				get: () => i === null ? (a !== n.namespaces && (a = n.namespaces, o = n.enabled(e)), o) : i,
				set: (e) => {
					i = e;
				}
			}), typeof n.init == "function" && n.init(s), s;
		}
		function r(e, t) {
			let r = n(this.namespace + (t === void 0 ? ":" : t) + e);
			return r.log = this.log, r;
		}
		function i(e) {
			n.save(e), n.namespaces = e, n.names = [], n.skips = [];
			let t = (typeof e == "string" ? e : "").trim().replace(/\s+/g, ",").split(",").filter(Boolean);
			for (let e of t) e[0] === "-" ? n.skips.push(e.slice(1)) : n.names.push(e);
		}
		function a(e, t) {
			let n = 0, r = 0, i = -1, a = 0;
			for (; n < e.length;) if (r < t.length && (t[r] === e[n] || t[r] === "*")) t[r] === "*" ? (i = r, a = n, r++) : (n++, r++);
			else if (i !== -1) r = i + 1, a++, n = a;
			else return !1;
			for (; r < t.length && t[r] === "*";) r++;
			return r === t.length;
		}
		function o() {
			let e = [...n.names, ...n.skips.map((e) => "-" + e)].join(",");
			return n.enable(""), e;
		}
		function s(e) {
			for (let t of n.skips) if (a(e, t)) return !1;
			for (let t of n.names) if (a(e, t)) return !0;
			return !1;
		}
		function c(e) {
			return e instanceof Error ? e.stack || e.message : e;
		}
		function l() {
			console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.");
		}
		return n.enable(n.load()), n;
	}
	t.exports = n;
})), ce = /* @__PURE__ */ s(((e, t) => {
	ae(), e.formatArgs = r, e.save = i, e.load = a, e.useColors = n, e.storage = o(), e.destroy = (() => {
		let e = !1;
		return () => {
			e || (e = !0, console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`."));
		};
	})(), e.colors = /* @__PURE__ */ "#0000CC.#0000FF.#0033CC.#0033FF.#0066CC.#0066FF.#0099CC.#0099FF.#00CC00.#00CC33.#00CC66.#00CC99.#00CCCC.#00CCFF.#3300CC.#3300FF.#3333CC.#3333FF.#3366CC.#3366FF.#3399CC.#3399FF.#33CC00.#33CC33.#33CC66.#33CC99.#33CCCC.#33CCFF.#6600CC.#6600FF.#6633CC.#6633FF.#66CC00.#66CC33.#9900CC.#9900FF.#9933CC.#9933FF.#99CC00.#99CC33.#CC0000.#CC0033.#CC0066.#CC0099.#CC00CC.#CC00FF.#CC3300.#CC3333.#CC3366.#CC3399.#CC33CC.#CC33FF.#CC6600.#CC6633.#CC9900.#CC9933.#CCCC00.#CCCC33.#FF0000.#FF0033.#FF0066.#FF0099.#FF00CC.#FF00FF.#FF3300.#FF3333.#FF3366.#FF3399.#FF33CC.#FF33FF.#FF6600.#FF6633.#FF9900.#FF9933.#FFCC00.#FFCC33".split(".");
	function n() {
		if (typeof window < "u" && window.process && (window.process.type === "renderer" || window.process.__nwjs)) return !0;
		if (typeof navigator < "u" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/(edge|trident)\/(\d+)/)) return !1;
		let e;
		return typeof document < "u" && document.documentElement && document.documentElement.style && document.documentElement.style.WebkitAppearance || typeof window < "u" && window.console && (window.console.firebug || window.console.exception && window.console.table) || typeof navigator < "u" && navigator.userAgent && (e = navigator.userAgent.toLowerCase().match(/firefox\/(\d+)/)) && parseInt(e[1], 10) >= 31 || typeof navigator < "u" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/applewebkit\/(\d+)/);
	}
	function r(e) {
		if (e[0] = (this.useColors ? "%c" : "") + this.namespace + (this.useColors ? " %c" : " ") + e[0] + (this.useColors ? "%c " : " ") + "+" + t.exports.humanize(this.diff), !this.useColors) return;
		let n = "color: " + this.color;
		e.splice(1, 0, n, "color: inherit");
		let r = 0, i = 0;
		e[0].replace(/%[a-zA-Z%]/g, (e) => {
			e !== "%%" && (r++, e === "%c" && (i = r));
		}), e.splice(i, 0, n);
	}
	e.log = console.debug || console.log || (() => {});
	function i(t) {
		try {
			t ? e.storage.setItem("debug", t) : e.storage.removeItem("debug");
		} catch {}
	}
	function a() {
		let t;
		try {
			t = e.storage.getItem("debug") || e.storage.getItem("DEBUG");
		} catch {}
		return !t && A !== void 0 && "env" in A && (t = A.env.DEBUG), t;
	}
	function o() {
		try {
			return localStorage;
		} catch {}
	}
	t.exports = se()(e);
	var { formatters: s } = t.exports;
	s.j = function(e) {
		try {
			return JSON.stringify(e);
		} catch (e) {
			return "[UnexpectedJSONParseError]: " + e.message;
		}
	};
})), le = /* @__PURE__ */ s(((e, t) => {
	var n = typeof Reflect == "object" ? Reflect : null, r = n && typeof n.apply == "function" ? n.apply : function(e, t, n) {
		return Function.prototype.apply.call(e, t, n);
	}, i = n && typeof n.ownKeys == "function" ? n.ownKeys : Object.getOwnPropertySymbols ? function(e) {
		return Object.getOwnPropertyNames(e).concat(Object.getOwnPropertySymbols(e));
	} : function(e) {
		return Object.getOwnPropertyNames(e);
	};
	function a(e) {
		console && console.warn && console.warn(e);
	}
	var o = Number.isNaN || function(e) {
		return e !== e;
	};
	function s() {
		s.init.call(this);
	}
	t.exports = s, t.exports.once = v, s.EventEmitter = s, s.prototype._events = void 0, s.prototype._eventsCount = 0, s.prototype._maxListeners = void 0;
	var c = 10;
	function l(e) {
		if (typeof e != "function") throw TypeError("The \"listener\" argument must be of type Function. Received type " + typeof e);
	}
	Object.defineProperty(s, "defaultMaxListeners", {
		enumerable: !0,
		get: function() {
			return c;
		},
		set: function(e) {
			if (typeof e != "number" || e < 0 || o(e)) throw RangeError("The value of \"defaultMaxListeners\" is out of range. It must be a non-negative number. Received " + e + ".");
			c = e;
		}
	}), s.init = function() {
		(this._events === void 0 || this._events === Object.getPrototypeOf(this)._events) && (this._events = Object.create(null), this._eventsCount = 0), this._maxListeners = this._maxListeners || void 0;
	}, s.prototype.setMaxListeners = function(e) {
		if (typeof e != "number" || e < 0 || o(e)) throw RangeError("The value of \"n\" is out of range. It must be a non-negative number. Received " + e + ".");
		return this._maxListeners = e, this;
	};
	function u(e) {
		return e._maxListeners === void 0 ? s.defaultMaxListeners : e._maxListeners;
	}
	s.prototype.getMaxListeners = function() {
		return u(this);
	}, s.prototype.emit = function(e) {
		for (var t = [], n = 1; n < arguments.length; n++) t.push(arguments[n]);
		var i = e === "error", a = this._events;
		if (a !== void 0) i &&= a.error === void 0;
		else if (!i) return !1;
		if (i) {
			var o;
			if (t.length > 0 && (o = t[0]), o instanceof Error) throw o;
			var s = /* @__PURE__ */ Error("Unhandled error." + (o ? " (" + o.message + ")" : ""));
			throw s.context = o, s;
		}
		var c = a[e];
		if (c === void 0) return !1;
		if (typeof c == "function") r(c, this, t);
		else for (var l = c.length, u = h(c, l), n = 0; n < l; ++n) r(u[n], this, t);
		return !0;
	};
	function d(e, t, n, r) {
		var i, o, s;
		if (l(n), o = e._events, o === void 0 ? (o = e._events = Object.create(null), e._eventsCount = 0) : (o.newListener !== void 0 && (e.emit("newListener", t, n.listener ? n.listener : n), o = e._events), s = o[t]), s === void 0) s = o[t] = n, ++e._eventsCount;
		else if (typeof s == "function" ? s = o[t] = r ? [n, s] : [s, n] : r ? s.unshift(n) : s.push(n), i = u(e), i > 0 && s.length > i && !s.warned) {
			s.warned = !0;
			var c = /* @__PURE__ */ Error("Possible EventEmitter memory leak detected. " + s.length + " " + String(t) + " listeners added. Use emitter.setMaxListeners() to increase limit");
			c.name = "MaxListenersExceededWarning", c.emitter = e, c.type = t, c.count = s.length, a(c);
		}
		return e;
	}
	s.prototype.addListener = function(e, t) {
		return d(this, e, t, !1);
	}, s.prototype.on = s.prototype.addListener, s.prototype.prependListener = function(e, t) {
		return d(this, e, t, !0);
	};
	function f() {
		if (!this.fired) return this.target.removeListener(this.type, this.wrapFn), this.fired = !0, arguments.length === 0 ? this.listener.call(this.target) : this.listener.apply(this.target, arguments);
	}
	function p(e, t, n) {
		var r = {
			fired: !1,
			wrapFn: void 0,
			target: e,
			type: t,
			listener: n
		}, i = f.bind(r);
		return i.listener = n, r.wrapFn = i, i;
	}
	s.prototype.once = function(e, t) {
		return l(t), this.on(e, p(this, e, t)), this;
	}, s.prototype.prependOnceListener = function(e, t) {
		return l(t), this.prependListener(e, p(this, e, t)), this;
	}, s.prototype.removeListener = function(e, t) {
		var n, r, i, a, o;
		if (l(t), r = this._events, r === void 0 || (n = r[e], n === void 0)) return this;
		if (n === t || n.listener === t) --this._eventsCount === 0 ? this._events = Object.create(null) : (delete r[e], r.removeListener && this.emit("removeListener", e, n.listener || t));
		else if (typeof n != "function") {
			for (i = -1, a = n.length - 1; a >= 0; a--) if (n[a] === t || n[a].listener === t) {
				o = n[a].listener, i = a;
				break;
			}
			if (i < 0) return this;
			i === 0 ? n.shift() : g(n, i), n.length === 1 && (r[e] = n[0]), r.removeListener !== void 0 && this.emit("removeListener", e, o || t);
		}
		return this;
	}, s.prototype.off = s.prototype.removeListener, s.prototype.removeAllListeners = function(e) {
		var t, n = this._events, r;
		if (n === void 0) return this;
		if (n.removeListener === void 0) return arguments.length === 0 ? (this._events = Object.create(null), this._eventsCount = 0) : n[e] !== void 0 && (--this._eventsCount === 0 ? this._events = Object.create(null) : delete n[e]), this;
		if (arguments.length === 0) {
			var i = Object.keys(n), a;
			for (r = 0; r < i.length; ++r) a = i[r], a !== "removeListener" && this.removeAllListeners(a);
			return this.removeAllListeners("removeListener"), this._events = Object.create(null), this._eventsCount = 0, this;
		}
		if (t = n[e], typeof t == "function") this.removeListener(e, t);
		else if (t !== void 0) for (r = t.length - 1; r >= 0; r--) this.removeListener(e, t[r]);
		return this;
	};
	function ee(e, t, n) {
		var r = e._events;
		if (r === void 0) return [];
		var i = r[t];
		return i === void 0 ? [] : typeof i == "function" ? n ? [i.listener || i] : [i] : n ? _(i) : h(i, i.length);
	}
	s.prototype.listeners = function(e) {
		return ee(this, e, !0);
	}, s.prototype.rawListeners = function(e) {
		return ee(this, e, !1);
	}, s.listenerCount = function(e, t) {
		return typeof e.listenerCount == "function" ? e.listenerCount(t) : m.call(e, t);
	}, s.prototype.listenerCount = m;
	function m(e) {
		var t = this._events;
		if (t !== void 0) {
			var n = t[e];
			if (typeof n == "function") return 1;
			if (n !== void 0) return n.length;
		}
		return 0;
	}
	s.prototype.eventNames = function() {
		return this._eventsCount > 0 ? i(this._events) : [];
	};
	function h(e, t) {
		for (var n = Array(t), r = 0; r < t; ++r) n[r] = e[r];
		return n;
	}
	function g(e, t) {
		for (; t + 1 < e.length; t++) e[t] = e[t + 1];
		e.pop();
	}
	function _(e) {
		for (var t = Array(e.length), n = 0; n < t.length; ++n) t[n] = e[n].listener || e[n];
		return t;
	}
	function v(e, t) {
		return new Promise(function(n, r) {
			function i(n) {
				e.removeListener(t, a), r(n);
			}
			function a() {
				typeof e.removeListener == "function" && e.removeListener("error", i), n([].slice.call(arguments));
			}
			b(e, t, a, { once: !0 }), t !== "error" && y(e, i, { once: !0 });
		});
	}
	function y(e, t, n) {
		typeof e.on == "function" && b(e, "error", t, n);
	}
	function b(e, t, n, r) {
		if (typeof e.on == "function") r.once ? e.once(t, n) : e.on(t, n);
		else if (typeof e.addEventListener == "function") e.addEventListener(t, function i(a) {
			r.once && e.removeEventListener(t, i), n(a);
		});
		else throw TypeError("The \"emitter\" argument must be of type EventEmitter. Received type " + typeof e);
	}
})), ue = /* @__PURE__ */ s(((e, t) => {
	t.exports = n;
	function n(e, t) {
		if (e && t) return n(e)(t);
		if (typeof e != "function") throw TypeError("need wrapper function");
		return Object.keys(e).forEach(function(t) {
			r[t] = e[t];
		}), r;
		function r() {
			for (var t = Array(arguments.length), n = 0; n < t.length; n++) t[n] = arguments[n];
			var r = e.apply(this, t), i = t[t.length - 1];
			return typeof r == "function" && r !== i && Object.keys(i).forEach(function(e) {
				r[e] = i[e];
			}), r;
		}
	}
})), de = /* @__PURE__ */ s(((e, t) => {
	var n = ue();
	t.exports = n(r), t.exports.strict = n(i), r.proto = r(function() {
		Object.defineProperty(Function.prototype, "once", {
			value: function() {
				return r(this);
			},
			configurable: !0
		}), Object.defineProperty(Function.prototype, "onceStrict", {
			value: function() {
				return i(this);
			},
			configurable: !0
		});
	});
	function r(e) {
		var t = function() {
			return t.called ? t.value : (t.called = !0, t.value = e.apply(this, arguments));
		};
		return t.called = !1, t;
	}
	function i(e) {
		var t = function() {
			if (t.called) throw Error(t.onceError);
			return t.called = !0, t.value = e.apply(this, arguments);
		};
		return t.onceError = (e.name || "Function wrapped with `once`") + " shouldn't be called more than once", t.called = !1, t;
	}
})), fe, pe = o((() => {
	fe = globalThis || self;
})), me = /* @__PURE__ */ s(((e, t) => {
	pe();
	var n;
	t.exports = typeof queueMicrotask == "function" ? queueMicrotask.bind(typeof window < "u" ? window : fe) : (e) => (n ||= Promise.resolve()).then(e).catch((e) => setTimeout(() => {
		throw e;
	}, 0));
})), he = /* @__PURE__ */ s(((e, t) => {
	t.exports = r;
	var n = me();
	function r(e, t) {
		let r, i, a, o = !0;
		Array.isArray(e) ? (r = [], i = e.length) : (a = Object.keys(e), r = {}, i = a.length);
		function s(e) {
			function i() {
				t && t(e, r), t = null;
			}
			o ? n(i) : i();
		}
		function c(e, t, n) {
			r[e] = n, (--i === 0 || t) && s(t);
		}
		i ? a ? a.forEach(function(t) {
			e[t](function(e, n) {
				c(t, e, n);
			});
		}) : e.forEach(function(e, t) {
			e(function(e, n) {
				c(t, e, n);
			});
		}) : s(null), o = !1;
	}
})), j = /* @__PURE__ */ u(ce(), 1), M = /* @__PURE__ */ u(le(), 1), N = /* @__PURE__ */ u(de(), 1), ge = /* @__PURE__ */ u(he(), 1), P = typeof window < "u" ? window : self, F = P.RTCPeerConnection || P.mozRTCPeerConnection || P.webkitRTCPeerConnection, _e = P.RTCSessionDescription || P.mozRTCSessionDescription || P.webkitRTCSessionDescription, ve = P.RTCIceCandidate || P.mozRTCIceCandidate || P.webkitRTCIceCandidate;
P.RTCIceTransport, P.RTCDataChannel, P.RTCSctpTransport, P.RTCDtlsTransport, P.RTCCertificate, P.MediaStream, P.MediaStreamTrack, P.MediaStreamTrackEvent, P.RTCPeerConnectionIceEvent, P.RTCDataChannelEvent, P.RTCTrackEvent, P.RTCError, P.RTCErrorEvent, P.RTCRtpTransceiver, P.RTCRtpReceiver, P.RTCRtpSender;
//#endregion
//#region ../../node_modules/.pnpm/events-universal@1.0.1/node_modules/events-universal/default.js
var ye = /* @__PURE__ */ s(((e, t) => {
	t.exports = le();
})), be = /* @__PURE__ */ s(((e, t) => {
	t.exports = class {
		constructor(e) {
			if (!(e > 0) || e - 1 & e) throw Error("Max size for a FixedFIFO should be a power of two");
			this.buffer = Array(e), this.mask = e - 1, this.top = 0, this.btm = 0, this.next = null;
		}
		clear() {
			this.top = this.btm = 0, this.next = null, this.buffer.fill(void 0);
		}
		push(e) {
			return this.buffer[this.top] === void 0 ? (this.buffer[this.top] = e, this.top = this.top + 1 & this.mask, !0) : !1;
		}
		shift() {
			let e = this.buffer[this.btm];
			if (e !== void 0) return this.buffer[this.btm] = void 0, this.btm = this.btm + 1 & this.mask, e;
		}
		peek() {
			return this.buffer[this.btm];
		}
		isEmpty() {
			return this.buffer[this.btm] === void 0;
		}
	};
})), xe = /* @__PURE__ */ s(((e, t) => {
	var n = be();
	t.exports = class {
		constructor(e) {
			this.hwm = e || 16, this.head = new n(this.hwm), this.tail = this.head, this.length = 0;
		}
		clear() {
			this.head = this.tail, this.head.clear(), this.length = 0;
		}
		push(e) {
			if (this.length++, !this.head.push(e)) {
				let t = this.head;
				this.head = t.next = new n(2 * this.head.buffer.length), this.head.push(e);
			}
		}
		shift() {
			this.length !== 0 && this.length--;
			let e = this.tail.shift();
			if (e === void 0 && this.tail.next) {
				let e = this.tail.next;
				return this.tail.next = null, this.tail = e, this.tail.shift();
			}
			return e;
		}
		peek() {
			let e = this.tail.peek();
			return e === void 0 && this.tail.next ? this.tail.next.peek() : e;
		}
		isEmpty() {
			return this.length === 0;
		}
	};
})), Se = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		return e.length;
	}
	function r(e) {
		let t = e.byteLength, n = "";
		for (let r = 0; r < t; r++) n += String.fromCharCode(e[r] & 127);
		return n;
	}
	function i(e, t) {
		let n = e.byteLength;
		for (let r = 0; r < n; r++) e[r] = t.charCodeAt(r);
		return n;
	}
	t.exports = {
		byteLength: n,
		toString: r,
		write: i
	};
})), Ce = /* @__PURE__ */ s(((e, t) => {
	var n = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", r = new Uint8Array(256);
	for (let e = 0; e < 64; e++) r[n.charCodeAt(e)] = e;
	r[45] = 62, r[95] = 63;
	function i(e) {
		let t = e.length;
		return e.charCodeAt(t - 1) === 61 && t--, t > 1 && e.charCodeAt(t - 1) === 61 && t--, t * 3 >>> 2;
	}
	function a(e) {
		let t = e.byteLength, r = "";
		for (let i = 0; i < t; i += 3) r += n[e[i] >> 2] + n[(e[i] & 3) << 4 | e[i + 1] >> 4] + n[(e[i + 1] & 15) << 2 | e[i + 2] >> 6] + n[e[i + 2] & 63];
		return t % 3 == 2 ? r = r.substring(0, r.length - 1) + "=" : t % 3 == 1 && (r = r.substring(0, r.length - 2) + "=="), r;
	}
	function o(e, t) {
		let n = e.byteLength;
		for (let i = 0, a = 0; a < n; i += 4) {
			let n = r[t.charCodeAt(i)], o = r[t.charCodeAt(i + 1)], s = r[t.charCodeAt(i + 2)], c = r[t.charCodeAt(i + 3)];
			e[a++] = n << 2 | o >> 4, e[a++] = (o & 15) << 4 | s >> 2, e[a++] = (s & 3) << 6 | c & 63;
		}
		return n;
	}
	t.exports = {
		byteLength: i,
		toString: a,
		write: o
	};
})), we = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		return e.length >>> 1;
	}
	function r(e) {
		let t = e.byteLength;
		e = new DataView(e.buffer, e.byteOffset, t);
		let n = "", r = 0;
		for (let i = t - t % 4; r < i; r += 4) n += e.getUint32(r).toString(16).padStart(8, "0");
		for (; r < t; r++) n += e.getUint8(r).toString(16).padStart(2, "0");
		return n;
	}
	function i(e, t) {
		let n = e.byteLength;
		for (let r = 0; r < n; r++) {
			let n = a(t.charCodeAt(r * 2)), i = a(t.charCodeAt(r * 2 + 1));
			if (n === void 0 || i === void 0) return r;
			e[r] = n << 4 | i;
		}
		return n;
	}
	t.exports = {
		byteLength: n,
		toString: r,
		write: i
	};
	function a(e) {
		if (e >= 48 && e <= 57) return e - 48;
		if (e >= 65 && e <= 70) return e - 65 + 10;
		if (e >= 97 && e <= 102) return e - 97 + 10;
	}
})), Te = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		return e.length;
	}
	function r(e) {
		let t = e.byteLength, n = "";
		for (let r = 0; r < t; r++) n += String.fromCharCode(e[r]);
		return n;
	}
	function i(e, t) {
		let n = e.byteLength;
		for (let r = 0; r < n; r++) e[r] = t.charCodeAt(r);
		return n;
	}
	t.exports = {
		byteLength: n,
		toString: r,
		write: i
	};
})), Ee = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		let t = 0;
		for (let n = 0, r = e.length; n < r; n++) {
			let i = e.charCodeAt(n);
			if (i >= 55296 && i <= 56319 && n + 1 < r) {
				let r = e.charCodeAt(n + 1);
				if (r >= 56320 && r <= 57343) {
					t += 4, n++;
					continue;
				}
			}
			i <= 127 ? t += 1 : i <= 2047 ? t += 2 : t += 3;
		}
		return t;
	}
	var r;
	if (typeof TextDecoder < "u") {
		let e = new TextDecoder();
		r = function(t) {
			return e.decode(t);
		};
	} else r = function(e) {
		let t = e.byteLength, n = "", r = 0;
		for (; r < t;) {
			let i = e[r];
			if (i <= 127) {
				n += String.fromCharCode(i), r++;
				continue;
			}
			let a = 0, o = 0;
			if (i <= 223 ? (a = 1, o = i & 31) : i <= 239 ? (a = 2, o = i & 15) : i <= 244 && (a = 3, o = i & 7), t - r - a > 0) {
				let t = 0;
				for (; t < a;) i = e[r + t + 1], o = o << 6 | i & 63, t += 1;
			} else o = 65533, a = t - r;
			n += String.fromCodePoint(o), r += a + 1;
		}
		return n;
	};
	var i;
	if (typeof TextEncoder < "u") {
		let e = new TextEncoder();
		i = function(t, n) {
			return e.encodeInto(n, t).written;
		};
	} else i = function(e, t) {
		let n = e.byteLength, r = 0, i = 0;
		for (; r < t.length;) {
			let a = t.codePointAt(r);
			if (a <= 127) {
				if (i + 1 > n) break;
				e[i++] = a, r++;
				continue;
			}
			let o = 0, s = 0;
			if (a <= 2047 ? (o = 6, s = 192) : a <= 65535 ? (o = 12, s = 224) : a <= 2097151 && (o = 18, s = 240), i + o / 6 + 1 > n) break;
			for (e[i++] = s | a >> o, o -= 6; o >= 0;) e[i++] = 128 | a >> o & 63, o -= 6;
			r += a >= 65536 ? 2 : 1;
		}
		return i;
	};
	t.exports = {
		byteLength: n,
		toString: r,
		write: i
	};
})), De = /* @__PURE__ */ s(((e, t) => {
	function n(e) {
		return e.length * 2;
	}
	function r(e) {
		let t = e.byteLength, n = "";
		for (let r = 0; r < t - 1; r += 2) n += String.fromCharCode(e[r] + e[r + 1] * 256);
		return n;
	}
	function i(e, t) {
		let n = e.byteLength, r = n;
		for (let n = 0; n < t.length && !((r -= 2) < 0); ++n) {
			let r = t.charCodeAt(n), i = r >> 8, a = r % 256;
			e[n * 2] = a, e[n * 2 + 1] = i;
		}
		return n;
	}
	t.exports = {
		byteLength: n,
		toString: r,
		write: i
	};
})), Oe = /* @__PURE__ */ s(((e, t) => {
	var n = Se(), r = Ce(), i = we(), a = Te(), o = Ee(), s = De(), c = new Uint8Array(Uint16Array.of(255).buffer)[0] === 255;
	function l(e) {
		switch (e) {
			case "ascii": return n;
			case "base64": return r;
			case "hex": return i;
			case "binary":
			case "latin1": return a;
			case "utf8":
			case "utf-8":
			case void 0:
			case null: return o;
			case "ucs2":
			case "ucs-2":
			case "utf16le":
			case "utf-16le": return s;
			default: throw Error(`Unknown encoding '${e}'`);
		}
	}
	function u(e) {
		return e instanceof Uint8Array;
	}
	function d(e) {
		try {
			return l(e), !0;
		} catch {
			return !1;
		}
	}
	function f(t, n, r) {
		let i = new Uint8Array(t);
		return n !== void 0 && e.fill(i, n, 0, i.byteLength, r), i;
	}
	function p(e) {
		return new Uint8Array(e);
	}
	function ee(e) {
		return new Uint8Array(e);
	}
	function m(e, t) {
		return l(t).byteLength(e);
	}
	function h(e, t) {
		if (e === t) return 0;
		let n = Math.min(e.byteLength, t.byteLength);
		e = new DataView(e.buffer, e.byteOffset, e.byteLength), t = new DataView(t.buffer, t.byteOffset, t.byteLength);
		let r = 0;
		for (let i = n - n % 4; r < i && e.getUint32(r, c) === t.getUint32(r, c); r += 4);
		for (; r < n; r++) {
			let n = e.getUint8(r), i = t.getUint8(r);
			if (n < i) return -1;
			if (n > i) return 1;
		}
		return e.byteLength > t.byteLength ? 1 : e.byteLength < t.byteLength ? -1 : 0;
	}
	function g(e, t) {
		t === void 0 && (t = e.reduce((e, t) => e + t.byteLength, 0));
		let n = new Uint8Array(t), r = 0;
		for (let t of e) {
			if (r + t.byteLength > n.byteLength) return n.set(t.subarray(0, n.byteLength - r), r), n;
			n.set(t, r), r += t.byteLength;
		}
		return n;
	}
	function _(e, t, n = 0, r = 0, i = e.byteLength) {
		if (n < 0 && (n = 0), n >= t.byteLength) return 0;
		let a = t.byteLength - n;
		if (r < 0 && (r = 0), r >= e.byteLength || i <= r) return 0;
		i > e.byteLength && (i = e.byteLength), i - r > a && (i = r + a);
		let o = i - r;
		return e === t ? t.copyWithin(n, r, i) : ((r !== 0 || i !== e.byteLength) && (e = e.subarray(r, i)), t.set(e, n)), o;
	}
	function v(e, t) {
		return e === t ? !0 : e.byteLength === t.byteLength ? h(e, t) === 0 : !1;
	}
	function y(t, n, r = 0, i = t.byteLength, a = "utf8") {
		if (typeof n == "string" ? typeof r == "string" ? (a = r, r = 0, i = t.byteLength) : typeof i == "string" && (a = i, i = t.byteLength) : typeof n == "number" ? n &= 255 : typeof n == "boolean" && (n = +n), r < 0 && (r = 0), r >= t.byteLength || i <= r) return t;
		if (i > t.byteLength && (i = t.byteLength), typeof n == "number") return t.fill(n, r, i);
		typeof n == "string" && (n = e.from(n, a));
		let o = n.byteLength;
		for (let e = 0, a = i - r; e < a; ++e) t[e + r] = n[e % o];
		return t;
	}
	function b(e, t, n) {
		return typeof e == "string" ? te(e, t) : Array.isArray(e) ? ne(e) : ArrayBuffer.isView(e) ? re(e) : x(e, t, n);
	}
	function te(e, t) {
		let n = l(t), r = new Uint8Array(n.byteLength(e));
		return n.write(r, e), r;
	}
	function ne(e) {
		let t = new Uint8Array(e.length);
		return t.set(e), t;
	}
	function re(e) {
		let t = new Uint8Array(e.byteLength);
		return t.set(e), t;
	}
	function x(e, t, n) {
		return new Uint8Array(e, t, n);
	}
	function S(e, t, n, r) {
		return C(e, t, n, r) !== -1;
	}
	function C(e, t, n, r) {
		return T(e, t, n, r, !0);
	}
	function w(e, t, n, r) {
		return T(e, t, n, r, !1);
	}
	function T(e, t, n, r, i) {
		if (e.byteLength === 0) return -1;
		if (typeof n == "string" ? (r = n, n = 0) : n === void 0 ? n = i ? 0 : e.length - 1 : n < 0 && (n += e.byteLength), n >= e.byteLength) {
			if (i) return -1;
			n = e.byteLength - 1;
		} else if (n < 0) if (i) n = 0;
		else return -1;
		if (typeof t == "string") t = b(t, r);
		else if (typeof t == "number") return t &= 255, i ? e.indexOf(t, n) : e.lastIndexOf(t, n);
		if (t.byteLength === 0) return -1;
		if (i) {
			let r = -1;
			for (let i = n; i < e.byteLength; i++) if (e[i] === t[r === -1 ? 0 : i - r]) {
				if (r === -1 && (r = i), i - r + 1 === t.byteLength) return r;
			} else r !== -1 && (i -= i - r), r = -1;
		} else {
			n + t.byteLength > e.byteLength && (n = e.byteLength - t.byteLength);
			for (let r = n; r >= 0; r--) {
				let n = !0;
				for (let i = 0; i < t.byteLength; i++) if (e[r + i] !== t[i]) {
					n = !1;
					break;
				}
				if (n) return r;
			}
		}
		return -1;
	}
	function E(e, t, n) {
		let r = e[t];
		e[t] = e[n], e[n] = r;
	}
	function D(e) {
		let t = e.byteLength;
		if (t % 2 != 0) throw RangeError("Buffer size must be a multiple of 16-bits");
		for (let n = 0; n < t; n += 2) E(e, n, n + 1);
		return e;
	}
	function O(e) {
		let t = e.byteLength;
		if (t % 4 != 0) throw RangeError("Buffer size must be a multiple of 32-bits");
		for (let n = 0; n < t; n += 4) E(e, n, n + 3), E(e, n + 1, n + 2);
		return e;
	}
	function k(e) {
		let t = e.byteLength;
		if (t % 8 != 0) throw RangeError("Buffer size must be a multiple of 64-bits");
		for (let n = 0; n < t; n += 8) E(e, n, n + 7), E(e, n + 1, n + 6), E(e, n + 2, n + 5), E(e, n + 3, n + 4);
		return e;
	}
	function ie(e) {
		return e;
	}
	function A(e, t = "utf8", n = 0, r = e.byteLength) {
		return arguments.length === 1 ? o.toString(e) : arguments.length === 2 ? l(t).toString(e) : (n < 0 && (n = 0), n >= e.byteLength || r <= n ? "" : (r > e.byteLength && (r = e.byteLength), (n !== 0 || r !== e.byteLength) && (e = e.subarray(n, r)), l(t).toString(e)));
	}
	function ae(t, n, r = 0, i = t.byteLength, a) {
		if (arguments.length === 2) return o.write(t, n);
		typeof r == "string" ? (a = r, r = 0, i = t.byteLength) : typeof i == "string" && (a = i, i = t.byteLength - r), i = Math.min(i, e.byteLength(n, a));
		let s = r;
		if (s < 0 && (s = 0), s >= t.byteLength) return 0;
		let c = r + i;
		return c <= s ? 0 : (c > t.byteLength && (c = t.byteLength), (s !== 0 || c !== t.byteLength) && (t = t.subarray(s, c)), l(a).write(t, n));
	}
	function oe(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getFloat64(t, !1);
	}
	function se(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getFloat64(t, !0);
	}
	function ce(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getFloat32(t, !1);
	}
	function le(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getFloat32(t, !0);
	}
	function ue(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getInt32(t, !1);
	}
	function de(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getInt32(t, !0);
	}
	function fe(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getUint32(t, !1);
	}
	function pe(e, t = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).getUint32(t, !0);
	}
	function me(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setFloat64(n, t, !1), n + 8;
	}
	function he(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setFloat64(n, t, !0), n + 8;
	}
	function j(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setFloat32(n, t, !1), n + 4;
	}
	function M(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setFloat32(n, t, !0), n + 4;
	}
	function N(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setInt32(n, t, !1), n + 4;
	}
	function ge(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setInt32(n, t, !0), n + 4;
	}
	function P(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setUint32(n, t, !1), n + 4;
	}
	function F(e, t, n = 0) {
		return new DataView(e.buffer, e.byteOffset, e.byteLength).setUint32(n, t, !0), n + 4;
	}
	t.exports = e = {
		isBuffer: u,
		isEncoding: d,
		alloc: f,
		allocUnsafe: p,
		allocUnsafeSlow: ee,
		byteLength: m,
		compare: h,
		concat: g,
		copy: _,
		equals: v,
		fill: y,
		from: b,
		includes: S,
		indexOf: C,
		lastIndexOf: w,
		swap16: D,
		swap32: O,
		swap64: k,
		toBuffer: ie,
		toString: A,
		write: ae,
		readDoubleBE: oe,
		readDoubleLE: se,
		readFloatBE: ce,
		readFloatLE: le,
		readInt32BE: ue,
		readInt32LE: de,
		readUInt32BE: fe,
		readUInt32LE: pe,
		writeDoubleBE: me,
		writeDoubleLE: he,
		writeFloatBE: j,
		writeFloatLE: M,
		writeInt32BE: N,
		writeInt32LE: ge,
		writeUInt32BE: P,
		writeUInt32LE: F
	};
})), ke = /* @__PURE__ */ s(((e, t) => {
	var n = Oe();
	t.exports = class {
		constructor(e) {
			this.encoding = e;
		}
		get remaining() {
			return 0;
		}
		decode(e) {
			return n.toString(e, this.encoding);
		}
		flush() {
			return "";
		}
	};
})), Ae = /* @__PURE__ */ s(((e, t) => {
	var n = Oe();
	t.exports = class {
		constructor() {
			this._reset();
		}
		get remaining() {
			return this.bytesSeen;
		}
		decode(e) {
			if (e.byteLength === 0) return "";
			if (this.bytesNeeded === 0 && r(e, 0) === 0) return this.bytesSeen = i(e), n.toString(e, "utf8");
			let t = "", a = 0;
			if (this.bytesNeeded > 0) {
				for (; a < e.byteLength;) {
					let n = e[a];
					if (n < this.lowerBoundary || n > this.upperBoundary) {
						t += "�", this._reset();
						break;
					}
					if (this.lowerBoundary = 128, this.upperBoundary = 191, this.codePoint = this.codePoint << 6 | n & 63, this.bytesSeen++, a++, this.bytesSeen === this.bytesNeeded) {
						t += String.fromCodePoint(this.codePoint), this._reset();
						break;
					}
				}
				if (this.bytesNeeded > 0) return t;
			}
			let o = r(e, a), s = e.byteLength - o;
			s > a && (t += n.toString(e, "utf8", a, s));
			for (let n = s; n < e.byteLength; n++) {
				let r = e[n];
				if (this.bytesNeeded === 0) {
					r <= 127 ? (this.bytesSeen = 0, t += String.fromCharCode(r)) : r >= 194 && r <= 223 ? (this.bytesNeeded = 2, this.bytesSeen = 1, this.codePoint = r & 31) : r >= 224 && r <= 239 ? (r === 224 ? this.lowerBoundary = 160 : r === 237 && (this.upperBoundary = 159), this.bytesNeeded = 3, this.bytesSeen = 1, this.codePoint = r & 15) : r >= 240 && r <= 244 ? (r === 240 ? this.lowerBoundary = 144 : r === 244 && (this.upperBoundary = 143), this.bytesNeeded = 4, this.bytesSeen = 1, this.codePoint = r & 7) : (this.bytesSeen = 1, t += "�");
					continue;
				}
				if (r < this.lowerBoundary || r > this.upperBoundary) {
					t += "�", n--, this._reset();
					continue;
				}
				this.lowerBoundary = 128, this.upperBoundary = 191, this.codePoint = this.codePoint << 6 | r & 63, this.bytesSeen++, this.bytesSeen === this.bytesNeeded && (t += String.fromCodePoint(this.codePoint), this._reset());
			}
			return t;
		}
		flush() {
			let e = this.bytesNeeded > 0 ? "�" : "";
			return this._reset(), e;
		}
		_reset() {
			this.codePoint = 0, this.bytesNeeded = 0, this.bytesSeen = 0, this.lowerBoundary = 128, this.upperBoundary = 191;
		}
	};
	function r(e, t) {
		let n = e.byteLength;
		if (n <= t) return 0;
		let r = Math.max(t, n - 4), i = n - 1;
		for (; i > r && (e[i] & 192) == 128;) i--;
		if (i < t) return 0;
		let a = e[i], o;
		if (a <= 127) return 0;
		if (a >= 194 && a <= 223) o = 2;
		else if (a >= 224 && a <= 239) o = 3;
		else if (a >= 240 && a <= 244) o = 4;
		else return 0;
		let s = n - i;
		return s < o ? s : 0;
	}
	function i(e) {
		let t = e.byteLength;
		if (t === 0) return 0;
		let n = e[t - 1];
		if (n <= 127) return 0;
		if ((n & 192) != 128) return 1;
		let r = Math.max(0, t - 4), i = t - 2;
		for (; i >= r && (e[i] & 192) == 128;) i--;
		if (i < 0) return 1;
		let a = e[i], o;
		if (a >= 194 && a <= 223) o = 2;
		else if (a >= 224 && a <= 239) o = 3;
		else if (a >= 240 && a <= 244) o = 4;
		else return 1;
		if (t - i !== o) return 1;
		if (o >= 3) {
			let t = e[i + 1];
			if (a === 224 && t < 160 || a === 237 && t > 159 || a === 240 && t < 144 || a === 244 && t > 143) return 1;
		}
		return 0;
	}
})), je = /* @__PURE__ */ s(((e, t) => {
	var n = ke(), r = Ae();
	t.exports = class {
		constructor(e = "utf8") {
			switch (this.encoding = i(e), this.encoding) {
				case "utf8":
					this.decoder = new r();
					break;
				case "utf16le":
				case "base64": throw Error("Unsupported encoding: " + this.encoding);
				default: this.decoder = new n(this.encoding);
			}
		}
		get remaining() {
			return this.decoder.remaining;
		}
		push(e) {
			return typeof e == "string" ? e : this.decoder.decode(e);
		}
		write(e) {
			return this.push(e);
		}
		end(e) {
			let t = "";
			return e && (t = this.push(e)), t += this.decoder.flush(), t;
		}
	};
	function i(e) {
		switch (e = e.toLowerCase(), e) {
			case "utf8":
			case "utf-8": return "utf8";
			case "ucs2":
			case "ucs-2":
			case "utf16le":
			case "utf-16le": return "utf16le";
			case "latin1":
			case "binary": return "latin1";
			case "base64":
			case "ascii":
			case "hex": return e;
			default: throw Error("Unknown encoding: " + e);
		}
	}
})), Me = /* @__PURE__ */ s(((e, t) => {
	pe();
	var { EventEmitter: n } = ye(), r = /* @__PURE__ */ Error("Stream was destroyed"), i = /* @__PURE__ */ Error("Premature close"), a = xe(), o = je(), s = typeof queueMicrotask > "u" ? (e) => fe.process.nextTick(e) : queueMicrotask, c = (1 << 29) - 1, l = 1, u = 2, d = 4, f = 8, p = c ^ l, ee = c ^ u, m = 16, h = 32, g = 64, _ = 128, v = 256, y = 512, b = 1024, te = 2048, ne = 4096, re = 8192, x = 16384, S = 32768, C = 65536, w = 131072, T = v | y, E = m | C, D = g | m, O = ne | _, k = v | w, ie = c ^ m, A = c ^ g, ae = c ^ (g | C), oe = c ^ C, se = c ^ v, ce = c ^ (_ | re), le = c ^ b, ue = c ^ T, de = c ^ S, me = c ^ h, he = c ^ w, j = c ^ k, M = 1 << 18, N = 2 << 18, ge = 4 << 18, P = 8 << 18, F = 16 << 18, _e = 32 << 18, ve = 64 << 18, be = 128 << 18, Se = 256 << 18, Ce = 512 << 18, we = 1024 << 18, Te = c ^ (M | Se), Ee = c ^ ge, De = c ^ (M | Ce), Oe = c ^ F, ke = c ^ P, Ae = c ^ be, Me = c ^ N, Ne = c ^ we, I = m | M, L = c ^ I, R = x | _e, z = f | 6, Pe = z | l, B = z | R, Fe = Ee & A, Ie = be | S, Le = Pe | Ie & L, Re = b | 16399, ze = x | 143, Be = b | 143, Ve = 12431, He = 214047, V = b | 16398, Ue = 32879, We = S | l, Ge = Ce | 8388623, Ke = P | F, qe = P | M, Je = 6553615, Ye = 270794767, Xe = ge | M, Ze = M | Se, Qe = 144965647, $e = 146800654, et = 35127311, tt = _e | 134217742, H = Symbol.asyncIterator || Symbol("asyncIterator"), U = class {
		constructor(e, { highWaterMark: t = 16384, map: n = null, mapWritable: r, byteLength: i, byteLengthWritable: o } = {}) {
			this.stream = e, this.queue = new a(), this.highWaterMark = t, this.buffered = 0, this.error = null, this.pipeline = null, this.drains = null, this.byteLength = o || i || Mt, this.map = r || n, this.afterWrite = W.bind(this), this.afterUpdateNextTick = lt.bind(this);
		}
		get ending() {
			return (this.stream._duplexState & Ce) !== 0;
		}
		get ended() {
			return (this.stream._duplexState & _e) !== 0;
		}
		push(e) {
			return (this.stream._duplexState & tt) === 0 ? (this.map !== null && (e = this.map(e)), this.buffered += this.byteLength(e), this.queue.push(e), this.buffered < this.highWaterMark ? (this.stream._duplexState |= P, !0) : (this.stream._duplexState |= Ke, !1)) : !1;
		}
		shift() {
			let e = this.queue.shift();
			return this.buffered -= this.byteLength(e), this.buffered === 0 && (this.stream._duplexState &= ke), e;
		}
		end(e) {
			typeof e == "function" ? this.stream.once("finish", e) : e != null && this.push(e), this.stream._duplexState = (this.stream._duplexState | Ce) & Ee;
		}
		autoBatch(e, t) {
			let n = [], r = this.stream;
			for (n.push(e); (r._duplexState & Ye) === qe;) n.push(r._writableState.shift());
			if ((r._duplexState & Pe) !== 0) return t(null);
			r._writev(n, t);
		}
		update() {
			let e = this.stream;
			e._duplexState |= N;
			do {
				for (; (e._duplexState & Ye) === P;) {
					let t = this.shift();
					e._duplexState |= Ze, e._write(t, this.afterWrite);
				}
				(e._duplexState & Xe) === 0 && this.updateNonPrimary();
			} while (this.continueUpdate() === !0);
			e._duplexState &= Me;
		}
		updateNonPrimary() {
			let e = this.stream;
			if ((e._duplexState & Qe) === Ce) {
				e._duplexState |= M, e._final(ot.bind(this));
				return;
			}
			if ((e._duplexState & z) === d) {
				(e._duplexState & Ie) === 0 && (e._duplexState |= I, e._destroy(st.bind(this)));
				return;
			}
			(e._duplexState & Le) === l && (e._duplexState = (e._duplexState | I) & p, e._open(dt.bind(this)));
		}
		continueUpdate() {
			return (this.stream._duplexState & be) === 0 ? !1 : (this.stream._duplexState &= Ae, !0);
		}
		updateCallback() {
			(this.stream._duplexState & et) === ge ? this.update() : this.updateNextTick();
		}
		updateNextTick() {
			(this.stream._duplexState & be) === 0 && (this.stream._duplexState |= be, (this.stream._duplexState & N) === 0 && s(this.afterUpdateNextTick));
		}
	}, nt = class {
		constructor(e, { highWaterMark: t = 16384, map: n = null, mapReadable: r, byteLength: i, byteLengthReadable: o } = {}) {
			this.stream = e, this.queue = new a(), this.highWaterMark = t === 0 ? 1 : t, this.buffered = 0, this.readAhead = t > 0, this.error = null, this.pipeline = null, this.byteLength = o || i || Mt, this.map = r || n, this.pipeTo = null, this.afterRead = G.bind(this), this.afterUpdateNextTick = ct.bind(this);
		}
		get ending() {
			return (this.stream._duplexState & b) !== 0;
		}
		get ended() {
			return (this.stream._duplexState & x) !== 0;
		}
		pipe(e, t) {
			if (this.pipeTo !== null) throw Error("Can only pipe to one destination");
			if (typeof t != "function" && (t = null), this.stream._duplexState |= y, this.pipeTo = e, this.pipeline = new it(this.stream, e, t), t && this.stream.on("error", Nt), wt(e)) e._writableState.pipeline = this.pipeline, t && e.on("error", Nt), e.on("finish", this.pipeline.finished.bind(this.pipeline));
			else {
				let t = this.pipeline.done.bind(this.pipeline, e), n = this.pipeline.done.bind(this.pipeline, e, null);
				e.on("error", t), e.on("close", n), e.on("finish", this.pipeline.finished.bind(this.pipeline));
			}
			e.on("drain", at.bind(this)), this.stream.emit("piping", e), e.emit("pipe", this.stream);
		}
		push(e) {
			let t = this.stream;
			return e === null ? (this.highWaterMark = 0, t._duplexState = (t._duplexState | b) & ae, !1) : this.map !== null && (e = this.map(e), e === null) ? (t._duplexState &= oe, this.buffered < this.highWaterMark) : (this.buffered += this.byteLength(e), this.queue.push(e), t._duplexState = (t._duplexState | _) & oe, this.buffered < this.highWaterMark);
		}
		shift() {
			let e = this.queue.shift();
			return this.buffered -= this.byteLength(e), this.buffered === 0 && (this.stream._duplexState &= ce), e;
		}
		unshift(e) {
			let t = [this.map === null ? e : this.map(e)];
			for (; this.buffered > 0;) t.push(this.shift());
			for (let e = 0; e < t.length - 1; e++) {
				let n = t[e];
				this.buffered += this.byteLength(n), this.queue.push(n);
			}
			this.push(t[t.length - 1]);
		}
		read() {
			let e = this.stream;
			if ((e._duplexState & ze) === _) {
				let t = this.shift();
				return this.pipeTo !== null && this.pipeTo.write(t) === !1 && (e._duplexState &= ue), (e._duplexState & te) !== 0 && e.emit("data", t), t;
			}
			return this.readAhead === !1 && (e._duplexState |= w, this.updateNextTick()), null;
		}
		drain() {
			let e = this.stream;
			for (; (e._duplexState & ze) === _ && (e._duplexState & T) !== 0;) {
				let t = this.shift();
				this.pipeTo !== null && this.pipeTo.write(t) === !1 && (e._duplexState &= ue), (e._duplexState & te) !== 0 && e.emit("data", t);
			}
		}
		update() {
			let e = this.stream;
			e._duplexState |= h;
			do {
				for (this.drain(); this.buffered < this.highWaterMark && (e._duplexState & He) === w;) e._duplexState |= E, e._read(this.afterRead), this.drain();
				(e._duplexState & Ve) === O && (e._duplexState |= re, e.emit("readable")), (e._duplexState & D) === 0 && this.updateNonPrimary();
			} while (this.continueUpdate() === !0);
			e._duplexState &= me;
		}
		updateNonPrimary() {
			let e = this.stream;
			if ((e._duplexState & Be) === b && (e._duplexState = (e._duplexState | x) & le, e.emit("end"), (e._duplexState & B) === R && (e._duplexState |= d), this.pipeTo !== null && this.pipeTo.end()), (e._duplexState & z) === d) {
				(e._duplexState & Ie) === 0 && (e._duplexState |= I, e._destroy(st.bind(this)));
				return;
			}
			(e._duplexState & Le) === l && (e._duplexState = (e._duplexState | I) & p, e._open(dt.bind(this)));
		}
		continueUpdate() {
			return (this.stream._duplexState & S) === 0 ? !1 : (this.stream._duplexState &= de, !0);
		}
		updateCallback() {
			(this.stream._duplexState & Ue) === g ? this.update() : this.updateNextTick();
		}
		updateNextTickIfOpen() {
			(this.stream._duplexState & We) === 0 && (this.stream._duplexState |= S, (this.stream._duplexState & h) === 0 && s(this.afterUpdateNextTick));
		}
		updateNextTick() {
			(this.stream._duplexState & S) === 0 && (this.stream._duplexState |= S, (this.stream._duplexState & h) === 0 && s(this.afterUpdateNextTick));
		}
	}, rt = class {
		constructor(e) {
			this.data = null, this.afterTransform = ft.bind(e), this.afterFinal = null;
		}
	}, it = class {
		constructor(e, t, n) {
			this.from = e, this.to = t, this.afterPipe = n, this.error = null, this.pipeToFinished = !1;
		}
		finished() {
			this.pipeToFinished = !0;
		}
		done(e, t) {
			if (t && (this.error = t), e === this.to && (this.to = null, this.from !== null)) {
				((this.from._duplexState & x) === 0 || !this.pipeToFinished) && this.from.destroy(this.error || /* @__PURE__ */ Error("Writable stream closed prematurely"));
				return;
			}
			if (e === this.from && (this.from = null, this.to !== null)) {
				(e._duplexState & x) === 0 && this.to.destroy(this.error || /* @__PURE__ */ Error("Readable stream closed before ending"));
				return;
			}
			this.afterPipe !== null && this.afterPipe(this.error), this.to = this.from = this.afterPipe = null;
		}
	};
	function at() {
		this.stream._duplexState |= y, this.updateCallback();
	}
	function ot(e) {
		let t = this.stream;
		e && t.destroy(e), (t._duplexState & z) === 0 && (t._duplexState |= _e, t.emit("finish")), (t._duplexState & B) === R && (t._duplexState |= d), t._duplexState &= De, (t._duplexState & N) === 0 ? this.update() : this.updateNextTick();
	}
	function st(e) {
		let t = this.stream;
		!e && this.error !== r && (e = this.error), e && t.emit("error", e), t._duplexState |= f, t.emit("close");
		let n = t._readableState, i = t._writableState;
		if (n !== null && n.pipeline !== null && n.pipeline.done(t, e), i !== null) {
			for (; i.drains !== null && i.drains.length > 0;) i.drains.shift().resolve(!1);
			i.pipeline !== null && i.pipeline.done(t, e);
		}
	}
	function W(e) {
		let t = this.stream;
		e && t.destroy(e), t._duplexState &= Te, this.drains !== null && ut(this.drains), (t._duplexState & Je) === F && (t._duplexState &= Oe, (t._duplexState & ve) === ve && t.emit("drain")), this.updateCallback();
	}
	function G(e) {
		e && this.stream.destroy(e), this.stream._duplexState &= ie, this.readAhead === !1 && (this.stream._duplexState & v) === 0 && (this.stream._duplexState &= he), this.updateCallback();
	}
	function ct() {
		(this.stream._duplexState & h) === 0 && (this.stream._duplexState &= de, this.update());
	}
	function lt() {
		(this.stream._duplexState & N) === 0 && (this.stream._duplexState &= Ae, this.update());
	}
	function ut(e) {
		for (let t = 0; t < e.length; t++) --e[t].writes === 0 && (e.shift().resolve(!0), t--);
	}
	function dt(e) {
		let t = this.stream;
		e && t.destroy(e), (t._duplexState & d) === 0 && ((t._duplexState & Re) === 0 && (t._duplexState |= g), (t._duplexState & Ge) === 0 && (t._duplexState |= ge), t.emit("open")), t._duplexState &= L, t._writableState !== null && t._writableState.updateCallback(), t._readableState !== null && t._readableState.updateCallback();
	}
	function ft(e, t) {
		t != null && this.push(t), this._writableState.afterWrite(e);
	}
	function pt(e) {
		this._readableState !== null && (e === "data" && (this._duplexState |= te | k, this._readableState.updateNextTick()), e === "readable" && (this._duplexState |= ne, this._readableState.updateNextTick())), this._writableState !== null && e === "drain" && (this._duplexState |= ve, this._writableState.updateNextTick());
	}
	var K = class extends n {
		constructor(e) {
			super(), this._duplexState = 0, this._readableState = null, this._writableState = null, e && (e.open && (this._open = e.open), e.destroy && (this._destroy = e.destroy), e.predestroy && (this._predestroy = e.predestroy), e.signal && e.signal.addEventListener("abort", Pt.bind(this))), this.on("newListener", pt);
		}
		_open(e) {
			e(null);
		}
		_destroy(e) {
			e(null);
		}
		_predestroy() {}
		get readable() {
			return this._readableState === null ? void 0 : !0;
		}
		get writable() {
			return this._writableState === null ? void 0 : !0;
		}
		get destroyed() {
			return (this._duplexState & f) !== 0;
		}
		get destroying() {
			return (this._duplexState & z) !== 0;
		}
		destroy(e) {
			(this._duplexState & z) === 0 && (e ||= r, this._duplexState = (this._duplexState | d) & Fe, this._readableState !== null && (this._readableState.highWaterMark = 0, this._readableState.error = e), this._writableState !== null && (this._writableState.highWaterMark = 0, this._writableState.error = e), this._duplexState |= u, this._predestroy(), this._duplexState &= ee, this._readableState !== null && this._readableState.updateNextTick(), this._writableState !== null && this._writableState.updateNextTick());
		}
	}, mt = class e extends K {
		constructor(e) {
			super(e), this._duplexState |= _e | 131073, this._readableState = new nt(this, e), e && (this._readableState.readAhead === !1 && (this._duplexState &= he), e.read && (this._read = e.read), e.eagerOpen && this._readableState.updateNextTick(), e.encoding && this.setEncoding(e.encoding));
		}
		setEncoding(e) {
			let t = new o(e), n = this._readableState.map || St;
			return this._readableState.map = r, this;
			function r(e) {
				let r = t.push(e);
				return r === "" && (e.byteLength !== 0 || t.remaining > 0) ? null : n(r);
			}
		}
		_read(e) {
			e(null);
		}
		pipe(e, t) {
			return this._readableState.updateNextTick(), this._readableState.pipe(e, t), e;
		}
		read() {
			return this._readableState.updateNextTick(), this._readableState.read();
		}
		push(e) {
			return this._readableState.updateNextTickIfOpen(), this._readableState.push(e);
		}
		unshift(e) {
			return this._readableState.updateNextTickIfOpen(), this._readableState.unshift(e);
		}
		resume() {
			return this._duplexState |= k, this._readableState.updateNextTick(), this;
		}
		pause() {
			return this._duplexState &= this._readableState.readAhead === !1 ? j : se, this;
		}
		static _fromAsyncIterator(t, n) {
			let r, i = new e({
				...n,
				read(e) {
					t.next().then(a).then(e.bind(null, null)).catch(e);
				},
				predestroy() {
					r = t.return();
				},
				destroy(e) {
					if (!r) return e(null);
					r.then(e.bind(null, null)).catch(e);
				}
			});
			return i;
			function a(e) {
				e.done ? i.push(null) : i.push(e.value);
			}
		}
		static from(t, n) {
			if (kt(t)) return t;
			if (t[H]) return this._fromAsyncIterator(t[H](), n);
			Array.isArray(t) || (t = t === void 0 ? [] : [t]);
			let r = 0;
			return new e({
				...n,
				read(e) {
					this.push(r === t.length ? null : t[r++]), e(null);
				}
			});
		}
		static isBackpressured(e) {
			return (e._duplexState & V) !== 0 || e._readableState.buffered >= e._readableState.highWaterMark;
		}
		static isPaused(e) {
			return (e._duplexState & v) === 0;
		}
		[H]() {
			let e = this, t = null, n = null, i = null;
			return this.on("error", (e) => {
				t = e;
			}), this.on("readable", a), this.on("close", o), {
				[H]() {
					return this;
				},
				next() {
					return new Promise(function(t, r) {
						n = t, i = r;
						let a = e.read();
						a === null ? (e._duplexState & f) !== 0 && s(null) : s(a);
					});
				},
				return() {
					return c(null);
				},
				throw(e) {
					return c(e);
				}
			};
			function a() {
				n !== null && s(e.read());
			}
			function o() {
				n !== null && s(null);
			}
			function s(a) {
				i !== null && (t ? i(t) : a === null && (e._duplexState & x) === 0 ? i(r) : n({
					value: a,
					done: a === null
				}), i = n = null);
			}
			function c(t) {
				return e.destroy(t), new Promise((n, r) => {
					if (e._duplexState & f) return n({
						value: void 0,
						done: !0
					});
					e.once("close", function() {
						t ? r(t) : n({
							value: void 0,
							done: !0
						});
					});
				});
			}
		}
	}, ht = class extends K {
		constructor(e) {
			super(e), this._duplexState |= l | x, this._writableState = new U(this, e), e && (e.writev && (this._writev = e.writev), e.write && (this._write = e.write), e.final && (this._final = e.final), e.eagerOpen && this._writableState.updateNextTick());
		}
		cork() {
			this._duplexState |= we;
		}
		uncork() {
			this._duplexState &= Ne, this._writableState.updateNextTick();
		}
		_writev(e, t) {
			t(null);
		}
		_write(e, t) {
			this._writableState.autoBatch(e, t);
		}
		_final(e) {
			e(null);
		}
		static isBackpressured(e) {
			return (e._duplexState & $e) !== 0;
		}
		static drained(e) {
			if (e.destroyed) return Promise.resolve(!1);
			let t = e._writableState, n = (Ft(e) ? Math.min(1, t.queue.length) : t.queue.length) + (e._duplexState & Se ? 1 : 0);
			return n === 0 ? Promise.resolve(!0) : (t.drains === null && (t.drains = []), new Promise((e) => {
				t.drains.push({
					writes: n,
					resolve: e
				});
			}));
		}
		write(e) {
			return this._writableState.updateNextTick(), this._writableState.push(e);
		}
		end(e) {
			return this._writableState.updateNextTick(), this._writableState.end(e), this;
		}
	}, gt = class extends mt {
		constructor(e) {
			super(e), this._duplexState = l | this._duplexState & w, this._writableState = new U(this, e), e && (e.writev && (this._writev = e.writev), e.write && (this._write = e.write), e.final && (this._final = e.final));
		}
		cork() {
			this._duplexState |= we;
		}
		uncork() {
			this._duplexState &= Ne, this._writableState.updateNextTick();
		}
		_writev(e, t) {
			t(null);
		}
		_write(e, t) {
			this._writableState.autoBatch(e, t);
		}
		_final(e) {
			e(null);
		}
		write(e) {
			return this._writableState.updateNextTick(), this._writableState.push(e);
		}
		end(e) {
			return this._writableState.updateNextTick(), this._writableState.end(e), this;
		}
	}, _t = class extends gt {
		constructor(e) {
			super(e), this._transformState = new rt(this), e && (e.transform && (this._transform = e.transform), e.flush && (this._flush = e.flush));
		}
		_write(e, t) {
			this._readableState.buffered >= this._readableState.highWaterMark ? this._transformState.data = e : this._transform(e, this._transformState.afterTransform);
		}
		_read(e) {
			if (this._transformState.data !== null) {
				let t = this._transformState.data;
				this._transformState.data = null, e(null), this._transform(t, this._transformState.afterTransform);
			} else e(null);
		}
		destroy(e) {
			super.destroy(e), this._transformState.data !== null && (this._transformState.data = null, this._transformState.afterTransform());
		}
		_transform(e, t) {
			t(null, e);
		}
		_flush(e) {
			e(null);
		}
		_final(e) {
			this._transformState.afterFinal = e, this._flush(yt.bind(this));
		}
	}, vt = class extends _t {};
	function yt(e, t) {
		let n = this._transformState.afterFinal;
		if (e) return n(e);
		t != null && this.push(t), this.push(null), n(null);
	}
	function bt(...e) {
		return new Promise((t, n) => xt(...e, (e) => {
			if (e) return n(e);
			t();
		}));
	}
	function xt(e, ...t) {
		let n = Array.isArray(e) ? [...e, ...t] : [e, ...t], r = n.length && typeof n[n.length - 1] == "function" ? n.pop() : null;
		if (n.length < 2) throw Error("Pipeline requires at least 2 streams");
		let a = n[0], o = null, s = null;
		for (let e = 1; e < n.length; e++) o = n[e], wt(a) ? a.pipe(o, l) : (c(a, !0, e > 1, l), a.pipe(o)), a = o;
		if (r) {
			let e = !1, t = wt(o) || !!(o._writableState && o._writableState.autoDestroy);
			o.on("error", (e) => {
				s === null && (s = e);
			}), o.on("finish", () => {
				e = !0, t || r(s);
			}), t && o.on("close", () => r(s || (e ? null : i)));
		}
		return o;
		function c(e, t, n, r) {
			e.on("error", r), e.on("close", a);
			function a() {
				if (t && e._readableState && !e._readableState.ended || n && e._writableState && !e._writableState.ended) return r(i);
			}
		}
		function l(e) {
			if (!(!e || s)) {
				s = e;
				for (let t of n) t.destroy(e);
			}
		}
	}
	function St(e) {
		return e;
	}
	function Ct(e) {
		return !!e._readableState || !!e._writableState;
	}
	function wt(e) {
		return typeof e._duplexState == "number" && Ct(e);
	}
	function Tt(e) {
		return !!e._readableState && e._readableState.ending;
	}
	function q(e) {
		return !!e._readableState && e._readableState.ended;
	}
	function Et(e) {
		return !!e._writableState && e._writableState.ending;
	}
	function Dt(e) {
		return !!e._writableState && e._writableState.ended;
	}
	function Ot(e, t = {}) {
		let n = e._readableState && e._readableState.error || e._writableState && e._writableState.error;
		return !t.all && n === r ? null : n;
	}
	function kt(e) {
		return wt(e) && e.readable;
	}
	function At(e) {
		return (e._duplexState & l) !== l || (e._duplexState & d) === d || (e._duplexState & Ie) !== 0;
	}
	function jt(e) {
		return typeof e == "object" && !!e && typeof e.byteLength == "number";
	}
	function Mt(e) {
		return jt(e) ? e.byteLength : 1024;
	}
	function Nt() {}
	function Pt() {
		this.destroy(/* @__PURE__ */ Error("Stream aborted."));
	}
	function Ft(e) {
		return e._writev !== ht.prototype._writev && e._writev !== gt.prototype._writev;
	}
	t.exports = {
		pipeline: xt,
		pipelinePromise: bt,
		isStream: Ct,
		isStreamx: wt,
		isEnding: Tt,
		isEnded: q,
		isFinishing: Et,
		isFinished: Dt,
		isDisturbed: At,
		getStreamError: Ot,
		Stream: K,
		Writable: ht,
		Readable: mt,
		Duplex: gt,
		Transform: _t,
		PassThrough: vt
	};
})), Ne = /* @__PURE__ */ s(((e, t) => {
	function n(e, t) {
		for (let n in t) Object.defineProperty(e, n, {
			value: t[n],
			enumerable: !0,
			configurable: !0
		});
		return e;
	}
	function r(e, t, r) {
		if (!e || typeof e == "string") throw TypeError("Please pass an Error to err-code");
		r ||= {}, typeof t == "object" && (r = t, t = ""), t && (r.code = t);
		try {
			return n(e, r);
		} catch {
			r.message = e.message, r.stack = e.stack;
			let t = function() {};
			return t.prototype = Object.create(Object.getPrototypeOf(e)), n(new t(), r);
		}
	}
	t.exports = r;
})), I = Me(), L = /* @__PURE__ */ u(Ne(), 1), R = "0123456789abcdef", z = [], Pe = [];
for (let e = 0; e < 256; e++) z[e] = R[e >> 4 & 15] + R[e & 15], e < 16 && (e < 10 ? Pe[48 + e] = e : Pe[87 + e] = e);
for (var B = (e) => {
	let t = e.length, n = "", r = 0;
	for (; r < t;) n += z[e[r++]];
	return n;
}, Fe = (e) => {
	let t = e.length >> 1, n = t << 1, r = new Uint8Array(t), i = 0, a = 0;
	for (; a < n;) r[i++] = Pe[e.charCodeAt(a++)] << 4 | Pe[e.charCodeAt(a++)];
	return r;
}, Ie = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", Le = typeof Uint8Array > "u" ? [] : new Uint8Array(256), Re = 0; Re < Ie.length; Re++) Le[Ie.charCodeAt(Re)] = Re;
//#endregion
//#region ../../node_modules/.pnpm/uint8-util@2.2.6/node_modules/uint8-util/browser.js
var ze = new TextDecoder(), Be = (e, t) => t ? new TextDecoder(t).decode(e) : ze.decode(e), Ve = new TextEncoder(), He = (e) => Ve.encode(e), V = (e) => {
	let t = "", n, r = 0, i = e.length;
	for (; r < i;) n = e.charCodeAt(r++), t += R[n >> 4] + R[n & 15];
	return t;
}, Ue = 65536, We = (e) => {
	let t = Fe(e);
	if (t.length <= Ue) return String.fromCharCode(...t);
	let n = "", r = 0;
	for (; r < t.length;) n += String.fromCharCode(...t.subarray(r, r += Ue));
	return n;
}, Ge = typeof window < "u" ? window : self, Ke = Ge.crypto || Ge.msCrypto || {};
Ke.subtle || Ke.webkitSubtle;
var qe = (e) => {
	let t = new Uint8Array(e);
	return Ke.getRandomValues(t);
}, Je = (0, j.default)("simple-peer"), Ye = 64 * 1024, Xe = 5 * 1e3, Ze = 5 * 1e3;
function Qe(e) {
	return e.replace(/a=ice-options:trickle\s\n/g, "");
}
function $e(e) {
	console.warn(e);
}
var et = class e extends I.Duplex {
	_pc;
	constructor(t) {
		if (t = Object.assign({ allowHalfOpen: !1 }, t), super(t), this.__objectMode = !!t.objectMode, this._id = B(qe(4)).slice(0, 7), this._debug("new peer %o", t), this.channelName = t.initiator ? t.channelName || B(qe(20)) : null, this.initiator = t.initiator || !1, this.channelConfig = t.channelConfig || e.channelConfig, this.channelNegotiated = this.channelConfig.negotiated, this.config = Object.assign({}, e.config, t.config), this.offerOptions = t.offerOptions || {}, this.answerOptions = t.answerOptions || {}, this.sdpTransform = t.sdpTransform || ((e) => e), this.trickle = t.trickle === void 0 ? !0 : t.trickle, this.allowHalfTrickle = t.allowHalfTrickle === void 0 ? !1 : t.allowHalfTrickle, this.iceCompleteTimeout = t.iceCompleteTimeout || Xe, this._destroying = !1, this._connected = !1, this.remoteAddress = void 0, this.remoteFamily = void 0, this.remotePort = void 0, this.localAddress = void 0, this.localFamily = void 0, this.localPort = void 0, !F) throw typeof window > "u" ? (0, L.default)(/* @__PURE__ */ Error("No WebRTC support: Specify `opts.wrtc` option in this environment"), "ERR_WEBRTC_SUPPORT") : (0, L.default)(/* @__PURE__ */ Error("No WebRTC support: Not a supported browser"), "ERR_WEBRTC_SUPPORT");
		this._pcReady = !1, this._channelReady = !1, this._iceComplete = !1, this._iceCompleteTimer = null, this._channel = null, this._pendingCandidates = [], this._isNegotiating = !1, this._firstNegotiation = !0, this._batchedNegotiation = !1, this._queuedNegotiation = !1, this._sendersAwaitingStable = [], this._closingInterval = null, this._remoteTracks = [], this._remoteStreams = [], this._chunk = null, this._cb = null, this._interval = null;
		try {
			this._pc = new F(this.config);
		} catch (e) {
			this.__destroy((0, L.default)(e, "ERR_PC_CONSTRUCTOR"));
			return;
		}
		this._isReactNativeWebrtc = typeof this._pc._peerConnectionId == "number", this._pc.oniceconnectionstatechange = () => {
			this._onIceStateChange();
		}, this._pc.onicegatheringstatechange = () => {
			this._onIceStateChange();
		}, this._pc.onconnectionstatechange = () => {
			this._onConnectionStateChange();
		}, this._pc.onsignalingstatechange = () => {
			this._onSignalingStateChange();
		}, this._pc.onicecandidate = (e) => {
			this._onIceCandidate(e);
		}, typeof this._pc.peerIdentity == "object" && this._pc.peerIdentity.catch((e) => {
			this.__destroy((0, L.default)(e, "ERR_PC_PEER_IDENTITY"));
		}), this.initiator || this.channelNegotiated ? this._setupData({ channel: this._pc.createDataChannel(this.channelName, this.channelConfig) }) : this._pc.ondatachannel = (e) => {
			this._setupData(e);
		}, this._debug("initial negotiation"), this._needsNegotiation(), this._onFinishBound = () => {
			this._onFinish();
		}, this.once("finish", this._onFinishBound);
	}
	get bufferSize() {
		return this._channel && this._channel.bufferedAmount || 0;
	}
	get connected() {
		return this._connected && this._channel.readyState === "open";
	}
	address() {
		return {
			port: this.localPort,
			family: this.localFamily,
			address: this.localAddress
		};
	}
	signal(e) {
		if (!this._destroying) {
			if (this.destroyed) throw (0, L.default)(/* @__PURE__ */ Error("cannot signal after peer is destroyed"), "ERR_DESTROYED");
			if (typeof e == "string") try {
				e = JSON.parse(e);
			} catch {
				e = {};
			}
			this._debug("signal()"), e.renegotiate && this.initiator && (this._debug("got request to renegotiate"), this._needsNegotiation()), e.transceiverRequest && this.initiator && (this._debug("got request for transceiver"), this.addTransceiver(e.transceiverRequest.kind, e.transceiverRequest.init)), e.candidate && (this._pc.remoteDescription && this._pc.remoteDescription.type ? this._addIceCandidate(e.candidate) : this._pendingCandidates.push(e.candidate)), e.sdp && this._pc.setRemoteDescription(new _e(e)).then(() => {
				this.destroyed || (this._pendingCandidates.forEach((e) => {
					this._addIceCandidate(e);
				}), this._pendingCandidates = [], this._pc.remoteDescription.type === "offer" && this._createAnswer());
			}).catch((e) => {
				this.__destroy((0, L.default)(e, "ERR_SET_REMOTE_DESCRIPTION"));
			}), !e.sdp && !e.candidate && !e.renegotiate && !e.transceiverRequest && this.__destroy((0, L.default)(/* @__PURE__ */ Error("signal() called with invalid signal data"), "ERR_SIGNALING"));
		}
	}
	_addIceCandidate(e) {
		let t = new ve(e);
		this._pc.addIceCandidate(t).catch((e) => {
			!t.address || t.address.endsWith(".local") ? $e("Ignoring unsupported ICE candidate.") : this.__destroy((0, L.default)(e, "ERR_ADD_ICE_CANDIDATE"));
		});
	}
	send(e) {
		if (!this._destroying) {
			if (this.destroyed) throw (0, L.default)(/* @__PURE__ */ Error("cannot send after peer is destroyed"), "ERR_DESTROYED");
			this._channel.send(e);
		}
	}
	_needsNegotiation() {
		this._debug("_needsNegotiation"), !this._batchedNegotiation && (this._batchedNegotiation = !0, queueMicrotask(() => {
			this._batchedNegotiation = !1, this.initiator || !this._firstNegotiation ? (this._debug("starting batched negotiation"), this.negotiate()) : this._debug("non-initiator initial negotiation request discarded"), this._firstNegotiation = !1;
		}));
	}
	negotiate() {
		if (!this._destroying) {
			if (this.destroyed) throw (0, L.default)(/* @__PURE__ */ Error("cannot negotiate after peer is destroyed"), "ERR_DESTROYED");
			this.initiator ? this._isNegotiating ? (this._queuedNegotiation = !0, this._debug("already negotiating, queueing")) : (this._debug("start negotiation"), setTimeout(() => {
				this._createOffer();
			}, 0)) : this._isNegotiating ? (this._queuedNegotiation = !0, this._debug("already negotiating, queueing")) : (this._debug("requesting negotiation from initiator"), this.emit("signal", {
				type: "renegotiate",
				renegotiate: !0
			})), this._isNegotiating = !0;
		}
	}
	_final(e) {
		this._readableState.ended || this.push(null), e(null);
	}
	__destroy(e) {
		this.end(), this._destroy(() => {}, e);
	}
	_destroy(e, t) {
		this.destroyed || this._destroying || (this._destroying = !0, this._debug("destroying (error: %s)", t && (t.message || t)), setTimeout(() => {
			if (this._connected && this.emit("disconnect"), this._connected = !1, this._pcReady = !1, this._channelReady = !1, this._remoteTracks = null, this._remoteStreams = null, this._senderMap = null, clearInterval(this._closingInterval), this._closingInterval = null, clearInterval(this._interval), this._interval = null, this._chunk = null, this._cb = null, this._onFinishBound && this.removeListener("finish", this._onFinishBound), this._onFinishBound = null, this._channel) {
				try {
					this._channel.close();
				} catch {}
				this._channel.onmessage = null, this._channel.onopen = null, this._channel.onclose = null, this._channel.onerror = null;
			}
			if (this._pc) {
				try {
					this._pc.close();
				} catch {}
				this._pc.oniceconnectionstatechange = null, this._pc.onicegatheringstatechange = null, this._pc.onsignalingstatechange = null, this._pc.onicecandidate = null, this._pc.ontrack = null, this._pc.ondatachannel = null;
			}
			this._pc = null, this._channel = null, t && this.emit("error", t), e();
		}, 0));
	}
	_setupData(e) {
		if (!e.channel) return this.__destroy((0, L.default)(/* @__PURE__ */ Error("Data channel event is missing `channel` property"), "ERR_DATA_CHANNEL"));
		this._channel = e.channel, this._channel.binaryType = "arraybuffer", typeof this._channel.bufferedAmountLowThreshold == "number" && (this._channel.bufferedAmountLowThreshold = Ye), this.channelName = this._channel.label, this._channel.onmessage = (e) => {
			this._onChannelMessage(e);
		}, this._channel.onbufferedamountlow = () => {
			this._onChannelBufferedAmountLow();
		}, this._channel.onopen = () => {
			this._onChannelOpen();
		}, this._channel.onclose = () => {
			this._onChannelClose();
		}, this._channel.onerror = (e) => {
			let t = e.error instanceof Error ? e.error : /* @__PURE__ */ Error(`Datachannel error: ${e.message} ${e.filename}:${e.lineno}:${e.colno}`);
			this.__destroy((0, L.default)(t, "ERR_DATA_CHANNEL"));
		};
		let t = !1;
		this._closingInterval = setInterval(() => {
			this._channel && this._channel.readyState === "closing" ? (t && this._onChannelClose(), t = !0) : t = !1;
		}, Ze);
	}
	_write(e, t) {
		if (this.destroyed) return t((0, L.default)(/* @__PURE__ */ Error("cannot write after peer is destroyed"), "ERR_DATA_CHANNEL"));
		if (this._connected) {
			try {
				this.send(e);
			} catch (e) {
				return this.__destroy((0, L.default)(e, "ERR_DATA_CHANNEL"));
			}
			this._channel.bufferedAmount > Ye ? (this._debug("start backpressure: bufferedAmount %d", this._channel.bufferedAmount), this._cb = t) : t(null);
		} else this._debug("write before connect"), this._chunk = e, this._cb = t;
	}
	_onFinish() {
		if (this.destroyed) return;
		let e = () => {
			setTimeout(() => this.__destroy(), 1e3);
		};
		this._connected ? e() : this.once("connect", e);
	}
	_startIceCompleteTimeout() {
		this.destroyed || (this._iceCompleteTimer ||= (this._debug("started iceComplete timeout"), setTimeout(() => {
			this._iceComplete || (this._iceComplete = !0, this._debug("iceComplete timeout completed"), this.emit("iceTimeout"), this.emit("_iceComplete"));
		}, this.iceCompleteTimeout)));
	}
	_createOffer() {
		this.destroyed || this._pc.createOffer(this.offerOptions).then((e) => {
			if (this.destroyed) return;
			!this.trickle && !this.allowHalfTrickle && (e.sdp = Qe(e.sdp)), e.sdp = this.sdpTransform(e.sdp);
			let t = () => {
				if (this.destroyed) return;
				let t = this._pc.localDescription || e;
				this._debug("signal"), this.emit("signal", {
					type: t.type,
					sdp: t.sdp
				});
			};
			this._pc.setLocalDescription(e).then(() => {
				this._debug("createOffer success"), !this.destroyed && (this.trickle || this._iceComplete ? t() : this.once("_iceComplete", t));
			}).catch((e) => {
				this.__destroy((0, L.default)(e, "ERR_SET_LOCAL_DESCRIPTION"));
			});
		}).catch((e) => {
			this.__destroy((0, L.default)(e, "ERR_CREATE_OFFER"));
		});
	}
	_createAnswer() {
		this.destroyed || this._pc.createAnswer(this.answerOptions).then((e) => {
			if (this.destroyed) return;
			!this.trickle && !this.allowHalfTrickle && (e.sdp = Qe(e.sdp)), e.sdp = this.sdpTransform(e.sdp);
			let t = () => {
				if (this.destroyed) return;
				let t = this._pc.localDescription || e;
				this._debug("signal"), this.emit("signal", {
					type: t.type,
					sdp: t.sdp
				}), this.initiator || this._requestMissingTransceivers?.();
			};
			this._pc.setLocalDescription(e).then(() => {
				this.destroyed || (this.trickle || this._iceComplete ? t() : this.once("_iceComplete", t));
			}).catch((e) => {
				this.__destroy((0, L.default)(e, "ERR_SET_LOCAL_DESCRIPTION"));
			});
		}).catch((e) => {
			this.__destroy((0, L.default)(e, "ERR_CREATE_ANSWER"));
		});
	}
	_onConnectionStateChange() {
		this.destroyed || this._destroying || this._pc.connectionState === "failed" && this.__destroy((0, L.default)(/* @__PURE__ */ Error("Connection failed."), "ERR_CONNECTION_FAILURE"));
	}
	_onIceStateChange() {
		if (this.destroyed) return;
		let e = this._pc.iceConnectionState, t = this._pc.iceGatheringState;
		this._debug("iceStateChange (connection: %s) (gathering: %s)", e, t), this.emit("iceStateChange", e, t), (e === "connected" || e === "completed") && (this._pcReady = !0, this._maybeReady()), e === "failed" && this.__destroy((0, L.default)(/* @__PURE__ */ Error("Ice connection failed."), "ERR_ICE_CONNECTION_FAILURE")), e === "closed" && this.__destroy((0, L.default)(/* @__PURE__ */ Error("Ice connection closed."), "ERR_ICE_CONNECTION_CLOSED"));
	}
	getStats(e) {
		let t = (e) => (Object.prototype.toString.call(e.values) === "[object Array]" && e.values.forEach((t) => {
			Object.assign(e, t);
		}), e);
		this._pc.getStats.length === 0 || this._isReactNativeWebrtc ? this._pc.getStats().then((n) => {
			let r = [];
			n.forEach((e) => {
				r.push(t(e));
			}), e(null, r);
		}, (t) => e(t)) : this._pc.getStats.length > 0 ? this._pc.getStats((n) => {
			if (this.destroyed) return;
			let r = [];
			n.result().forEach((e) => {
				let n = {};
				e.names().forEach((t) => {
					n[t] = e.stat(t);
				}), n.id = e.id, n.type = e.type, n.timestamp = e.timestamp, r.push(t(n));
			}), e(null, r);
		}, (t) => e(t)) : e(null, []);
	}
	_maybeReady() {
		if (this._debug("maybeReady pc %s channel %s", this._pcReady, this._channelReady), this._connected || this._connecting || !this._pcReady || !this._channelReady) return;
		this._connecting = !0;
		let e = () => {
			this.destroyed || this._destroying || this.getStats((t, n) => {
				if (this.destroyed || this._destroying) return;
				t && (n = []);
				let r = {}, i = {}, a = {}, o = !1;
				n.forEach((e) => {
					(e.type === "remotecandidate" || e.type === "remote-candidate") && (r[e.id] = e), (e.type === "localcandidate" || e.type === "local-candidate") && (i[e.id] = e), (e.type === "candidatepair" || e.type === "candidate-pair") && (a[e.id] = e);
				});
				let s = (e) => {
					o = !0;
					let t = i[e.localCandidateId];
					t && (t.ip || t.address) ? (this.localAddress = t.ip || t.address, this.localPort = Number(t.port)) : t && t.ipAddress ? (this.localAddress = t.ipAddress, this.localPort = Number(t.portNumber)) : typeof e.googLocalAddress == "string" && (t = e.googLocalAddress.split(":"), this.localAddress = t[0], this.localPort = Number(t[1])), this.localAddress && (this.localFamily = this.localAddress.includes(":") ? "IPv6" : "IPv4");
					let n = r[e.remoteCandidateId];
					n && (n.ip || n.address) ? (this.remoteAddress = n.ip || n.address, this.remotePort = Number(n.port)) : n && n.ipAddress ? (this.remoteAddress = n.ipAddress, this.remotePort = Number(n.portNumber)) : typeof e.googRemoteAddress == "string" && (n = e.googRemoteAddress.split(":"), this.remoteAddress = n[0], this.remotePort = Number(n[1])), this.remoteAddress && (this.remoteFamily = this.remoteAddress.includes(":") ? "IPv6" : "IPv4"), this._debug("connect local: %s:%s remote: %s:%s", this.localAddress, this.localPort, this.remoteAddress, this.remotePort);
				};
				if (n.forEach((e) => {
					e.type === "transport" && e.selectedCandidatePairId && s(a[e.selectedCandidatePairId]), (e.type === "googCandidatePair" && e.googActiveConnection === "true" || (e.type === "candidatepair" || e.type === "candidate-pair") && e.selected) && s(e);
				}), !o && (!Object.keys(a).length || Object.keys(i).length)) {
					setTimeout(e, 100);
					return;
				} else this._connecting = !1, this._connected = !0, this.emit("connect");
				if (this._chunk) {
					try {
						this.send(this._chunk);
					} catch (e) {
						return this.__destroy((0, L.default)(e, "ERR_DATA_CHANNEL"));
					}
					this._chunk = null, this._debug("sent chunk from \"write before connect\"");
					let e = this._cb;
					this._cb = null, e(null);
				}
				typeof this._channel.bufferedAmountLowThreshold != "number" && (this._interval = setInterval(() => this._onInterval(), 150), this._interval.unref && this._interval.unref()), this._debug("connect"), this.emit("connect");
			});
		};
		e();
	}
	_onInterval() {
		!this._cb || !this._channel || this._channel.bufferedAmount > Ye || this._onChannelBufferedAmountLow();
	}
	_onSignalingStateChange() {
		this.destroyed || (this._pc.signalingState === "stable" && (this._isNegotiating = !1, this._debug("flushing sender queue", this._sendersAwaitingStable), this._sendersAwaitingStable.forEach((e) => {
			this._pc.removeTrack(e), this._queuedNegotiation = !0;
		}), this._sendersAwaitingStable = [], this._queuedNegotiation ? (this._debug("flushing negotiation queue"), this._queuedNegotiation = !1, this._needsNegotiation()) : (this._debug("negotiated"), this.emit("negotiated"))), this._debug("signalingStateChange %s", this._pc.signalingState), this.emit("signalingStateChange", this._pc.signalingState));
	}
	_onIceCandidate(e) {
		this.destroyed || (e.candidate && this.trickle ? this.emit("signal", {
			type: "candidate",
			candidate: {
				candidate: e.candidate.candidate,
				sdpMLineIndex: e.candidate.sdpMLineIndex,
				sdpMid: e.candidate.sdpMid
			}
		}) : !e.candidate && !this._iceComplete && (this._iceComplete = !0, this.emit("_iceComplete")), e.candidate && this._startIceCompleteTimeout());
	}
	_onChannelMessage(e) {
		if (this.destroyed) return;
		let t = e.data;
		t instanceof ArrayBuffer ? t = new Uint8Array(t) : this.__objectMode === !1 && (t = He(t)), this.push(t);
	}
	_onChannelBufferedAmountLow() {
		if (this.destroyed || !this._cb) return;
		this._debug("ending backpressure: bufferedAmount %d", this._channel.bufferedAmount);
		let e = this._cb;
		this._cb = null, e(null);
	}
	_onChannelOpen() {
		this._connected || this.destroyed || (this._debug("on channel open"), this._channelReady = !0, this._maybeReady());
	}
	_onChannelClose() {
		this.destroyed || (this._debug("on channel close"), this.__destroy());
	}
	_debug() {
		let e = [].slice.call(arguments);
		e[0] = "[" + this._id + "] " + e[0], Je.apply(null, e);
	}
};
et.WEBRTC_SUPPORT = !!F, et.config = {
	iceServers: [{ urls: ["stun:stun.l.google.com:19302", "stun:global.stun.twilio.com:3478"] }],
	sdpSemantics: "unified-plan"
}, et.channelConfig = {};
//#endregion
//#region __vite-browser-external
var tt = /* @__PURE__ */ s(((e, t) => {
	t.exports = {};
})), H = /* @__PURE__ */ u(me(), 1), U = /* @__PURE__ */ u(tt(), 1), nt = {
	DEFAULT_ANNOUNCE_PEERS: 50,
	MAX_ANNOUNCE_PEERS: 82,
	parseUrl: (e) => {
		let t = new URL(e.replace(/^udp:/, "http:"));
		return e.match(/^udp:/) && Object.defineProperties(t, {
			href: { value: t.href.replace(/^http/, "udp") },
			protocol: { value: t.protocol.replace(/^http/, "udp") },
			origin: { value: t.origin.replace(/^http/, "udp") }
		}), t;
	},
	...U
}, rt = (0, j.default)("simple-websocket"), it = typeof U.default == "function" ? U.default : WebSocket, at = 64 * 1024, ot = class extends I.Duplex {
	constructor(e = {}) {
		if (typeof e == "string" && (e = { url: e }), e = Object.assign({ allowHalfOpen: !1 }, e), super(e), this.__objectMode = !!e.objectMode, e.objectMode != null && delete e.objectMode, e.url == null && e.socket == null) throw Error("Missing required `url` or `socket` option");
		if (e.url != null && e.socket != null) throw Error("Must specify either `url` or `socket` option, not both");
		if (this._id = B(qe(4)).slice(0, 7), this._debug("new websocket: %o", e), this.connected = !1, this._chunk = null, this._cb = null, this._interval = null, e.socket) this.url = e.socket.url, this._ws = e.socket, this.connected = e.socket.readyState === it.OPEN;
		else {
			this.url = e.url;
			try {
				typeof U.default == "function" ? this._ws = new it(e.url, {
					...e,
					encoding: void 0
				}) : this._ws = new it(e.url);
			} catch (e) {
				(0, H.default)(() => this.destroy(e));
				return;
			}
		}
		this._ws.binaryType = "arraybuffer", e.socket && this.connected ? (0, H.default)(() => this._handleOpen()) : this._ws.onopen = () => this._handleOpen(), this._ws.onmessage = (e) => this._handleMessage(e), this._ws.onclose = () => this._handleClose(), this._ws.onerror = (e) => this._handleError(e), this._handleFinishBound = () => this._handleFinish(), this.once("finish", this._handleFinishBound);
	}
	send(e) {
		this._ws.send(e);
	}
	_final(e) {
		this._readableState.ended || this.push(null), e(null);
	}
	_destroy(e) {
		if (!this.destroyed) {
			if (this._writableState.ended || this.end(), this.connected = !1, clearInterval(this._interval), this._interval = null, this._chunk = null, this._cb = null, this._handleFinishBound && this.removeListener("finish", this._handleFinishBound), this._handleFinishBound = null, this._ws) {
				let e = this._ws, t = () => {
					e.onclose = null;
				};
				if (e.readyState === it.CLOSED) t();
				else try {
					e.onclose = t, e.close();
				} catch {
					t();
				}
				e.onopen = null, e.onmessage = null, e.onerror = () => {};
			}
			this._ws = null, e();
		}
	}
	_write(e, t) {
		if (this.destroyed) return t(/* @__PURE__ */ Error("cannot write after socket is destroyed"));
		if (this.connected) {
			try {
				this.send(e);
			} catch (e) {
				return this.destroy(e);
			}
			typeof U.default != "function" && this._ws.bufferedAmount > at ? (this._debug("start backpressure: bufferedAmount %d", this._ws.bufferedAmount), this._cb = t) : t(null);
		} else this._debug("write before connect"), this._chunk = e, this._cb = t;
	}
	_handleOpen() {
		if (!(this.connected || this.destroyed)) {
			if (this.connected = !0, this._chunk) {
				try {
					this.send(this._chunk);
				} catch (e) {
					return this.destroy(e);
				}
				this._chunk = null, this._debug("sent chunk from \"write before connect\"");
				let e = this._cb;
				this._cb = null, e(null);
			}
			typeof U.default != "function" && (this._interval = setInterval(() => this._onInterval(), 150), this._interval.unref && this._interval.unref()), this._debug("connect"), this.emit("connect");
		}
	}
	_handleMessage(e) {
		if (this.destroyed) return;
		let t = e.data;
		t instanceof ArrayBuffer && (t = new Uint8Array(t)), this.__objectMode === !1 && (t = He(t)), this.push(t);
	}
	_handleClose() {
		this.destroyed || (this._debug("on close"), this.destroy());
	}
	_handleError(e) {
		this.destroy(/* @__PURE__ */ Error(`Error connecting to ${this.url}`));
	}
	_handleFinish() {
		if (this.destroyed) return;
		let e = () => {
			setTimeout(() => this.destroy(), 1e3);
		};
		this.connected ? e() : this.once("connect", e);
	}
	_onInterval() {
		if (!this._cb || !this._ws || this._ws.bufferedAmount > at) return;
		this._debug("ending backpressure: bufferedAmount %d", this._ws.bufferedAmount);
		let e = this._cb;
		this._cb = null, e(null);
	}
	_debug() {
		let e = [].slice.call(arguments);
		e[0] = "[" + this._id + "] " + e[0], rt.apply(null, e);
	}
};
ot.WEBSOCKET_SUPPORT = !!it;
//#endregion
//#region ../../node_modules/.pnpm/bittorrent-tracker@11.2.2/node_modules/bittorrent-tracker/lib/client/tracker.js
var st = class extends M.default {
	constructor(e, t) {
		super(), this.client = e, this.announceUrl = t, this.interval = null, this.destroyed = !1;
	}
	setInterval(e) {
		e ??= this.DEFAULT_ANNOUNCE_INTERVAL, clearInterval(this.interval), e && (this.interval = setInterval(() => {
			this.announce(this.client._defaultAnnounceOpts());
		}, e), this.interval.unref && this.interval.unref());
	}
}, W = (0, j.default)("bittorrent-tracker:websocket-tracker"), G = {}, ct = 10 * 1e3, lt = 3600 * 1e3, ut = 300 * 1e3, dt = 50 * 1e3, ft = class extends st {
	constructor(e, t) {
		super(e, t), W("new websocket tracker %s", t), this.peers = {}, this.socket = null, this.reconnecting = !1, this.retries = 0, this.reconnectTimer = null, this.expectingResponse = !1, this._openSocket();
	}
	announce(e) {
		if (this.destroyed || this.reconnecting) return;
		if (!this.socket.connected) {
			this.socket.once("connect", () => {
				this.announce(e);
			});
			return;
		}
		let t = Object.assign({}, e, {
			action: "announce",
			info_hash: this.client._infoHashBinary,
			peer_id: this.client._peerIdBinary
		});
		if (this._trackerId && (t.trackerid = this._trackerId), e.event === "stopped" || e.event === "completed") this._send(t);
		else {
			let n = Math.min(e.numwant, 5);
			this._generateOffers(n, (e) => {
				t.numwant = n, t.offers = e, this._send(t);
			});
		}
	}
	scrape(e) {
		if (this.destroyed || this.reconnecting) return;
		if (!this.socket.connected) {
			this.socket.once("connect", () => {
				this.scrape(e);
			});
			return;
		}
		let t = {
			action: "scrape",
			info_hash: Array.isArray(e.infoHash) && e.infoHash.length > 0 ? e.infoHash.map((e) => We(e)) : e.infoHash && We(e.infoHash) || this.client._infoHashBinary
		};
		this._send(t);
	}
	destroy(e = pt) {
		if (this.destroyed) return e(null);
		this.destroyed = !0, clearInterval(this.interval), clearTimeout(this.reconnectTimer);
		for (let e in this.peers) {
			let t = this.peers[e];
			clearTimeout(t.trackerTimeout), t.destroy();
		}
		if (this.peers = null, this.socket &&= (this.socket.removeListener("connect", this._onSocketConnectBound), this.socket.removeListener("data", this._onSocketDataBound), this.socket.removeListener("close", this._onSocketCloseBound), this.socket.removeListener("error", this._onSocketErrorBound), null), this._onSocketConnectBound = null, this._onSocketErrorBound = null, this._onSocketDataBound = null, this._onSocketCloseBound = null, G[this.announceUrl] && --G[this.announceUrl].consumers, G[this.announceUrl].consumers > 0) return e();
		let t = G[this.announceUrl];
		delete G[this.announceUrl], t.on("error", pt), t.once("close", e);
		let n;
		if (!this.expectingResponse) return r();
		n = setTimeout(r, nt.DESTROY_TIMEOUT), t.once("data", r);
		function r() {
			n &&= (clearTimeout(n), null), t.removeListener("data", r), t.destroy(), t = null;
		}
	}
	_openSocket() {
		if (this.destroyed = !1, this.peers ||= {}, this._onSocketConnectBound = () => {
			this._onSocketConnect();
		}, this._onSocketErrorBound = (e) => {
			this._onSocketError(e);
		}, this._onSocketDataBound = (e) => {
			this._onSocketData(e);
		}, this._onSocketCloseBound = () => {
			this._onSocketClose();
		}, this.socket = G[this.announceUrl], this.socket) G[this.announceUrl].consumers += 1, this.socket.connected && this._onSocketConnectBound();
		else {
			let e = new URL(this.announceUrl), t;
			this.client._proxyOpts && (t = e.protocol === "wss:" ? this.client._proxyOpts.httpsAgent : this.client._proxyOpts.httpAgent, !t && this.client._proxyOpts.socksProxy && (t = this.client._proxyOpts.socksProxy)), this.socket = G[this.announceUrl] = new ot({
				url: this.announceUrl,
				agent: t
			}), this.socket.consumers = 1, this.socket.once("connect", this._onSocketConnectBound);
		}
		this.socket.on("data", this._onSocketDataBound), this.socket.once("close", this._onSocketCloseBound), this.socket.once("error", this._onSocketErrorBound);
	}
	_onSocketConnect() {
		this.destroyed || this.reconnecting && (this.reconnecting = !1, this.retries = 0, this.announce(this.client._defaultAnnounceOpts()));
	}
	_onSocketData(e) {
		if (!this.destroyed) {
			this.expectingResponse = !1;
			try {
				e = JSON.parse(Be(e));
			} catch {
				this.client.emit("warning", /* @__PURE__ */ Error("Invalid tracker response"));
				return;
			}
			e.action === "announce" ? this._onAnnounceResponse(e) : e.action === "scrape" ? this._onScrapeResponse(e) : this._onSocketError(/* @__PURE__ */ Error(`invalid action in WS response: ${e.action}`));
		}
	}
	_onAnnounceResponse(e) {
		if (e.info_hash !== this.client._infoHashBinary) {
			W("ignoring websocket data from %s for %s (looking for %s: reused socket)", this.announceUrl, V(e.info_hash), this.client.infoHash);
			return;
		}
		if (e.peer_id && e.peer_id === this.client._peerIdBinary) return;
		W("received %s from %s for %s", JSON.stringify(e), this.announceUrl, this.client.infoHash);
		let t = e["failure reason"];
		if (t) return this.client.emit("warning", Error(t));
		let n = e["warning message"];
		n && this.client.emit("warning", Error(n));
		let r = e.interval || e["min interval"];
		r && this.setInterval(r * 1e3);
		let i = e["tracker id"];
		if (i && (this._trackerId = i), e.complete != null) {
			let t = Object.assign({}, e, {
				announce: this.announceUrl,
				infoHash: V(e.info_hash)
			});
			this.client.emit("update", t);
		}
		let a;
		if (e.offer && e.peer_id && (W("creating peer (from remote offer)"), a = this._createPeer(), a.id = V(e.peer_id), a.once("signal", (t) => {
			let n = {
				action: "announce",
				info_hash: this.client._infoHashBinary,
				peer_id: this.client._peerIdBinary,
				to_peer_id: e.peer_id,
				answer: t,
				offer_id: e.offer_id
			};
			this._trackerId && (n.trackerid = this._trackerId), this._send(n);
		}), this.client.emit("peer", a), a.signal(e.offer)), e.answer && e.peer_id) {
			let t = V(e.offer_id);
			a = this.peers[t], a ? (a.id = V(e.peer_id), this.client.emit("peer", a), a.signal(e.answer), clearTimeout(a.trackerTimeout), a.trackerTimeout = null, delete this.peers[t]) : W(`got unexpected answer: ${JSON.stringify(e.answer)}`);
		}
	}
	_onScrapeResponse(e) {
		e = e.files || {};
		let t = Object.keys(e);
		if (t.length === 0) {
			this.client.emit("warning", /* @__PURE__ */ Error("invalid scrape response"));
			return;
		}
		t.forEach((t) => {
			let n = Object.assign(e[t], {
				announce: this.announceUrl,
				infoHash: V(t)
			});
			this.client.emit("scrape", n);
		});
	}
	_onSocketClose() {
		this.destroyed || (this.destroy(), this._startReconnectTimer());
	}
	_onSocketError(e) {
		this.destroyed || (this.destroy(), this.client.emit("warning", e), this._startReconnectTimer());
	}
	_startReconnectTimer() {
		let e = Math.floor(Math.random() * ut) + Math.min(2 ** this.retries * ct, lt);
		this.reconnecting = !0, clearTimeout(this.reconnectTimer), this.reconnectTimer = setTimeout(() => {
			this.retries++, this._openSocket();
		}, e), this.reconnectTimer.unref && this.reconnectTimer.unref(), W("reconnecting socket in %s ms", e);
	}
	_send(e) {
		if (this.destroyed) return;
		this.expectingResponse = !0;
		let t = JSON.stringify(e);
		W("send %s", t), this.socket.send(t);
	}
	_generateOffers(e, t) {
		let n = this, r = [];
		W("generating %s offers", e);
		for (let t = 0; t < e; ++t) i();
		a();
		function i() {
			let e = B(qe(20));
			W("creating peer (from _generateOffers)");
			let t = n.peers[e] = n._createPeer({ initiator: !0 });
			t.once("signal", (t) => {
				r.push({
					offer: t,
					offer_id: We(e)
				}), a();
			}), t.trackerTimeout = setTimeout(() => {
				W("tracker timeout: destroying peer"), t.trackerTimeout = null, delete n.peers[e], t.destroy();
			}, dt), t.trackerTimeout.unref && t.trackerTimeout.unref();
		}
		function a() {
			r.length === e && (W("generated %s offers", e), t(r));
		}
	}
	_createPeer(e) {
		let t = this;
		e = Object.assign({
			trickle: !1,
			config: t.client._rtcConfig,
			wrtc: t.client._wrtc
		}, e);
		let n = new et(e);
		return n.once("error", r), n.once("connect", i), n;
		function r(e) {
			t.client.emit("warning", /* @__PURE__ */ Error(`Connection error: ${e.message}`)), n.destroy();
		}
		function i() {
			n.removeListener("error", r), n.removeListener("connect", i);
		}
	}
};
ft.prototype.DEFAULT_ANNOUNCE_INTERVAL = 30 * 1e3, ft._socketPool = G;
function pt() {}
//#endregion
//#region ../../node_modules/.pnpm/bittorrent-tracker@11.2.2/node_modules/bittorrent-tracker/client.js
ae();
var K = (0, j.default)("bittorrent-tracker:client"), mt = class extends M.default {
	constructor(e = {}) {
		if (super(), !e.peerId) throw Error("Option `peerId` is required");
		if (!e.infoHash) throw Error("Option `infoHash` is required");
		if (!e.announce) throw Error("Option `announce` is required");
		if (!A.browser && !e.port) throw Error("Option `port` is required");
		this.peerId = typeof e.peerId == "string" ? e.peerId : B(e.peerId), this._peerIdBuffer = Fe(this.peerId), this._peerIdBinary = We(this.peerId), this.infoHash = typeof e.infoHash == "string" ? e.infoHash.toLowerCase() : B(e.infoHash), this._infoHashBuffer = Fe(this.infoHash), this._infoHashBinary = We(this.infoHash), K("new client %s", this.infoHash), this.destroyed = !1, this._port = e.port, this._getAnnounceOpts = e.getAnnounceOpts, this._rtcConfig = e.rtcConfig, this._userAgent = e.userAgent, this._proxyOpts = e.proxyOpts, this._wrtc = typeof e.wrtc == "function" ? e.wrtc() : e.wrtc;
		let t = typeof e.announce == "string" ? [e.announce] : e.announce == null ? [] : e.announce;
		t = t.map((e) => (ArrayBuffer.isView(e) && (e = Be(e)), e[e.length - 1] === "/" && (e = e.substring(0, e.length - 1)), e)), t = Array.from(new Set(t));
		let n = this._wrtc !== !1 && (!!this._wrtc || et.WEBRTC_SUPPORT), r = (e) => {
			(0, H.default)(() => {
				this.emit("warning", e);
			});
		};
		this._trackers = t.map((e) => {
			let t;
			try {
				t = nt.parseUrl(e);
			} catch {
				return r(/* @__PURE__ */ Error(`Invalid tracker URL: ${e}`)), null;
			}
			let i = t.port;
			if (i < 0 || i > 65535) return r(/* @__PURE__ */ Error(`Invalid tracker port: ${e}`)), null;
			let a = t.protocol;
			return (a === "http:" || a === "https:") && typeof U.default == "function" || a === "udp:" && typeof U.default == "function" ? new U.default(this, e) : (a === "ws:" || a === "wss:") && n ? a === "ws:" && typeof window < "u" && window.location.protocol === "https:" ? (r(/* @__PURE__ */ Error(`Unsupported tracker protocol: ${e}`)), null) : new ft(this, e) : (r(/* @__PURE__ */ Error(`Unsupported tracker protocol: ${e}`)), null);
		}).filter(Boolean);
	}
	start(e) {
		e = this._defaultAnnounceOpts(e), e.event = "started", K("send `start` %o", e), this._announce(e), this._trackers.forEach((e) => {
			e.setInterval();
		});
	}
	stop(e) {
		e = this._defaultAnnounceOpts(e), e.event = "stopped", K("send `stop` %o", e), this._announce(e);
	}
	complete(e) {
		e ||= {}, e = this._defaultAnnounceOpts(e), e.event = "completed", K("send `complete` %o", e), this._announce(e);
	}
	update(e) {
		e = this._defaultAnnounceOpts(e), e.event && delete e.event, K("send `update` %o", e), this._announce(e);
	}
	_announce(e) {
		this._trackers.forEach((t) => {
			t.announce(e);
		});
	}
	scrape(e) {
		K("send `scrape`"), e ||= {}, this._trackers.forEach((t) => {
			t.scrape(e);
		});
	}
	setInterval(e) {
		K("setInterval %d", e), this._trackers.forEach((t) => {
			t.setInterval(e);
		});
	}
	destroy(e) {
		this.destroyed || (this.destroyed = !0, K("destroy"), (0, ge.default)(this._trackers.map((e) => (t) => {
			e.destroy(t);
		}), e), this._trackers = [], this._getAnnounceOpts = null);
	}
	_defaultAnnounceOpts(e = {}) {
		return e.numwant ??= nt.DEFAULT_ANNOUNCE_PEERS, e.uploaded ??= 0, e.downloaded ??= 0, this._getAnnounceOpts && (e = Object.assign({}, e, this._getAnnounceOpts())), e;
	}
};
mt.scrape = (e, t) => {
	if (t = (0, N.default)(t), !e.infoHash) throw Error("Option `infoHash` is required");
	if (!e.announce) throw Error("Option `announce` is required");
	let n = new mt(Object.assign({}, e, {
		infoHash: Array.isArray(e.infoHash) ? e.infoHash[0] : e.infoHash,
		peerId: He("01234567890123456789"),
		port: 6881
	}));
	n.once("error", t), n.once("warning", t);
	let r = Array.isArray(e.infoHash) ? e.infoHash.length : 1, i = {};
	return n.on("scrape", (e) => {
		if (--r, i[e.infoHash] = e, r === 0) {
			n.destroy();
			let e = Object.keys(i);
			e.length === 1 ? t(null, i[e[0]]) : t(null, i);
		}
	}), n.scrape({ infoHash: e.infoHash }), n;
};
//#endregion
//#region ../../node_modules/.pnpm/bittorrent-tracker@11.2.2/node_modules/bittorrent-tracker/index.js
var ht = mt;
//#endregion
//#region src/utils/utils.ts
function gt() {
	let e, t;
	return {
		promise: new Promise((n, r) => {
			e = n, t = r;
		}),
		resolve: e,
		reject: t
	};
}
function _t(e, t) {
	t ??= e.reduce((e, t) => e + t.byteLength, 0);
	let n = new Uint8Array(t), r = 0;
	for (let t of e) n.set(t, r), r += t.byteLength;
	return n;
}
function vt(e) {
	return e[Math.floor(Math.random() * e.length)];
}
function yt(e, t) {
	if (e.length === 0) throw Error("Cannot get item from empty array");
	if (e.length === 1) return e[0];
	let n = 0, r = e.map((e) => {
		let r = t(e);
		return n += r, r;
	}), i = Math.random() * n;
	for (let t = 0; t < e.length; t++) if (i -= r[t], i <= 0) return e[t];
	return e[e.length - 1];
}
function bt(e) {
	return new TextEncoder().encode(e);
}
function xt(e) {
	let t = new Uint8Array(e.length / 2);
	for (let n = 0; n < e.length; n += 2) t[n / 2] = parseInt(e.slice(n, n + 2), 16);
	return new TextDecoder().decode(t);
}
function* St(e) {
	for (let t = e.length - 1; t >= 0; t--) yield e[t];
}
function Ct(e) {
	return !!e && typeof e == "object" && !Array.isArray(e);
}
function wt(e) {
	return Array.isArray(e);
}
function Tt(e) {
	function t(e) {
		if (Ct(e)) {
			let n = {};
			return Object.keys(e).forEach((r) => {
				if (e[r] !== void 0) {
					let i = t(e[r]);
					i !== void 0 && (n[r] = i);
				}
			}), n;
		} else return e;
	}
	return t(e);
}
function q(e) {
	if (wt(e)) return e.map((e) => q(e));
	if (Ct(e)) {
		let t = {};
		for (let n of Object.keys(e)) t[n] = q(e[n]);
		return t;
	} else return e;
}
function Et(e) {
	for (let t = e.length - 1; t > 0; t--) {
		let n = Math.floor(Math.random() * (t + 1));
		[e[t], e[n]] = [e[n], e[t]];
	}
	return e;
}
function Dt(e, t, n = {}) {
	return typeof e != "object" || !e || typeof t != "object" || !t || Object.keys(t).forEach((r) => {
		let i = typeof r == "symbol" ? r.toString() : String(r);
		if (r === "__proto__" || r === "constructor" || r === "prototype") throw Error(`Attempt to modify restricted property '${i}'`);
		let a = t[r], o = n[r];
		r in e && (a === void 0 ? e[r] = o === void 0 ? void 0 : o : e[r] = a);
	}), e;
}
function Ot(e) {
	let { defaultConfig: t, baseConfig: n = {}, specificStreamConfig: r = {} } = e, i = q({
		...t,
		...n,
		...r
	}), a = Object.keys(t), o = {};
	return a.forEach((e) => {
		e in i && (o[e] = i[e]);
	}), o;
}
//#endregion
//#region src/utils/hash.ts
function kt(e) {
	let t = bt(e), n = [], r = t.length * 8;
	for (let e = 0; e < t.length; e++) n[e >> 2] |= (t[e] & 255) << 24 - e % 4 * 8;
	n[r >> 5] |= 128 << 24 - r % 32, n[(r + 64 >> 9 << 4) + 15] = r;
	let i = 1732584193, a = 4023233417, o = 2562383102, s = 271733878, c = 3285377520, l = [];
	for (let e = 0; e < n.length; e += 16) {
		let t = i, r = a, u = o, d = s, f = c;
		for (let t = 0; t < 80; t++) {
			if (t < 16) l[t] = n[e + t] | 0;
			else {
				let e = l[t - 3] ^ l[t - 8] ^ l[t - 14] ^ l[t - 16];
				l[t] = e << 1 | e >>> 31;
			}
			let r;
			r = t < 20 ? (a & o | ~a & s) + 1518500249 : t < 40 ? (a ^ o ^ s) + 1859775393 : t < 60 ? (a & o | a & s | o & s) - 1894007588 : (a ^ o ^ s) - 899497514;
			let u = (i << 5 | i >>> 27) + c + (l[t] >>> 0) + r | 0;
			c = s, s = o, o = a << 30 | a >>> 2, a = i, i = u;
		}
		i = i + t | 0, a = a + r | 0, o = o + u | 0, s = s + d | 0, c = c + f | 0;
	}
	let u = "", d = [
		i,
		a,
		o,
		s,
		c
	];
	for (let e = 0; e < 20; e++) {
		let t = 24 - e % 4 * 8, n = d[e >> 2];
		u += String.fromCharCode(n >>> t & 255);
	}
	return u;
}
//#endregion
//#region src/utils/peer.ts
var At = `-PM${Ft("2.3.1")}-`, jt = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", Mt = 20;
function Nt(e) {
	return btoa(kt(e).slice(0, 15));
}
function Pt(e) {
	let t = [e], n = Mt - e.length;
	for (let e = 0; e < n; e++) t.push(jt[Math.floor(Math.random() * 62)]);
	return t.join("");
}
function Ft(e) {
	let t = e.split(".");
	return `${t[0].padStart(2, "0")}${t[1].padStart(2, "0")}`;
}
//#endregion
//#region src/utils/logger.ts
function J(e) {
	return `${e.type}-${e.index}`;
}
function It(e) {
	let { externalId: t } = e;
	return `(${J(e.stream)} | ${t})`;
}
//#endregion
//#region src/p2p/commands/types.ts
var Y = /* @__PURE__ */ function(e) {
	return e[e.SegmentsAnnouncement = 0] = "SegmentsAnnouncement", e[e.SegmentRequest = 1] = "SegmentRequest", e[e.SegmentData = 2] = "SegmentData", e[e.SegmentDataSendingCompleted = 3] = "SegmentDataSendingCompleted", e[e.SegmentAbsent = 4] = "SegmentAbsent", e[e.CancelSegmentRequest = 5] = "CancelSegmentRequest", e;
}({}), X = /* @__PURE__ */ function(e) {
	return e[e.Min = -1] = "Min", e[e.Int = 1 + e.Min] = "Int", e[e.SimilarIntArray = 1 + e.Int] = "SimilarIntArray", e[e.String = 1 + e.SimilarIntArray] = "String", e[e.Max = 1 + e.String] = "Max", e;
}({});
function Lt(e) {
	return e < 0 ? -e : e;
}
function Rt(e) {
	let t = e.toString(2), n = e < 0 ? t.length : t.length + 1;
	return Math.ceil(n / 8);
}
function zt(e) {
	let t = e < 0, n = Rt(e), r = new Uint8Array(n), i = BigInt(n);
	e = Lt(e);
	for (let t = 0; t < n; t++) {
		let n = 8n * (i - 1n - BigInt(t)), a = e >> n & 255n;
		r[t] = Number(a);
	}
	return t && (r[0] |= 128), r;
}
function Bt(e) {
	let t = BigInt(e.length), n = (e, n) => {
		let r = 8n * (t - 1n - BigInt(n));
		return BigInt(e) << r;
	}, r = n(e[0] & 127, 0);
	for (let i = 1; i < t; i++) r = n(e[i], i) | r;
	return (e[0] & 128) >> 7 && (r = -r), r;
}
function Vt(e) {
	let t = zt(e), n = X.Int << 4 | t.length;
	return new Uint8Array([n, ...t]);
}
function Ht(e) {
	let t = e[0];
	if (t >> 4 !== X.Int) throw Error("Trying to deserialize integer with invalid serialized item code");
	let n = t & 15, r = 1 + n;
	return {
		number: Bt(e.slice(1, r)),
		byteLength: n + 1
	};
}
function Ut(e) {
	let t = /* @__PURE__ */ new Map();
	for (let n of e) {
		let e = n & -256n, r = n & 255n, i = t.get(e) ?? new qt();
		i.length || t.set(e, i), i.push(Number(r));
	}
	let n = new qt();
	n.push([X.SimilarIntArray << 4, t.size]);
	for (let [e, r] of t) {
		let { length: t } = r.getBytesChunks(), i = e | BigInt(t) & 255n;
		r.unshift(Vt(i)), n.push(r.getBuffer());
	}
	return n.getBuffer();
}
function Wt(e) {
	let [t, n] = e;
	if (t >> 4 !== X.SimilarIntArray) throw Error("Trying to deserialize similar int array with invalid serialized item code");
	let r = 2, i = [];
	for (let t = 0; t < n; t++) {
		let { number: t, byteLength: n } = Ht(e.slice(r));
		r += n;
		let a = t & 255n, o = t & -256n;
		for (let t = 0; t < a; t++) {
			let t = BigInt(e[r]);
			i.push(o | t), r++;
		}
	}
	return {
		numbers: i,
		byteLength: r
	};
}
function Gt(e) {
	let { length: t } = e, n = new qt();
	return n.push([X.String << 4 | t >> 8 & 15, t & 255]), n.push(new TextEncoder().encode(e)), n.getBuffer();
}
function Kt(e) {
	let [t, n] = e;
	if (t >> 4 !== X.String) throw Error("Trying to deserialize bytes (sting) with invalid serialized item code.");
	let r = (t & 15) << 8 | n, i = e.slice(2, r + 2);
	return {
		string: new TextDecoder("utf8").decode(i),
		byteLength: r + 2
	};
}
var qt = class {
	bytes = [];
	_length = 0;
	push(e) {
		this.addBytes(e, "end");
	}
	unshift(e) {
		this.addBytes(e, "start");
	}
	addBytes(e, t) {
		let n;
		n = e instanceof Uint8Array ? e : Array.isArray(e) ? new Uint8Array(e) : new Uint8Array([e]), this._length += n.length, this.bytes[t === "start" ? "unshift" : "push"](n);
	}
	getBytesChunks() {
		return this.bytes;
	}
	getBuffer() {
		return _t(this.bytes, this._length);
	}
	get length() {
		return this._length;
	}
}, Z = 4, Jt = un("cstr", Z), Yt = un("cend", Z), Xt = un("dstr", Z), Zt = un("dend", Z), Qt = [Jt, Xt], $t = [Yt, Zt], en = Jt.length + Yt.length;
function tn(e) {
	let { length: t } = Jt, n = e.slice(-t);
	return Qt.some((t) => pn(e, t, Z)) && $t.some((e) => pn(n, e, Z));
}
function nn(e) {
	return pn(e, Jt, Z);
}
function rn(e) {
	return pn(e.slice(-Z), Yt, Z);
}
var an = class extends Error {
	constructor(e) {
		super(), this.type = e;
	}
}, on = class {
	chunks = new qt();
	status = "joining";
	constructor(e) {
		this.onComplete = e;
	}
	addCommandChunk(e) {
		if (this.status === "completed") return;
		let t = nn(e);
		if (!this.chunks.length && !t) throw new an("no-first-chunk");
		if (this.chunks.length && t) throw new an("incomplete-joining");
		this.chunks.push(this.unframeCommandChunk(e)), rn(e) && (this.status = "completed", this.onComplete(this.chunks.getBuffer()));
	}
	unframeCommandChunk(e) {
		return e.slice(Z, e.length - Z);
	}
}, sn = class {
	bytes = new qt();
	resultBuffers = [];
	status = "creating";
	constructor(e, t) {
		this.maxChunkLength = t, this.bytes.push(e);
	}
	addInteger(e, t) {
		this.bytes.push(e.charCodeAt(0));
		let n = Vt(BigInt(t));
		this.bytes.push(n);
	}
	addSimilarIntArr(e, t) {
		this.bytes.push(e.charCodeAt(0));
		let n = Ut(t.map((e) => BigInt(e)));
		this.bytes.push(n);
	}
	addString(e, t) {
		this.bytes.push(e.charCodeAt(0));
		let n = Gt(t);
		this.bytes.push(n);
	}
	complete() {
		if (!this.bytes.length) throw Error("Buffer is empty");
		if (this.status === "completed") return;
		this.status = "completed";
		let e = this.bytes.getBuffer();
		if (e.length + en <= this.maxChunkLength) {
			this.resultBuffers.push(fn(e, Jt, Yt));
			return;
		}
		let t = Math.ceil(e.length / this.maxChunkLength);
		Math.ceil(e.length / t) + en > this.maxChunkLength && t++;
		for (let [n, r] of dn(e, t)) n === 0 ? this.resultBuffers.push(fn(r, Jt, Zt)) : n === t - 1 ? this.resultBuffers.push(fn(r, Xt, Yt)) : this.resultBuffers.push(fn(r, Xt, Zt));
	}
	getResultBuffers() {
		if (this.status === "creating" || !this.resultBuffers.length) throw Error("Command is not complete.");
		return this.resultBuffers;
	}
};
function cn(e) {
	let [t] = e, n = { c: t }, r = 1;
	for (; r < e.length;) {
		let t = String.fromCharCode(e[r]);
		switch (r++, ln(e[r])) {
			case X.Int:
				{
					let { number: i, byteLength: a } = Ht(e.slice(r));
					n[t] = Number(i), r += a;
				}
				break;
			case X.SimilarIntArray:
				{
					let { numbers: i, byteLength: a } = Wt(e.slice(r));
					n[t] = i.map((e) => Number(e)), r += a;
				}
				break;
			case X.String:
				{
					let { string: i, byteLength: a } = Kt(e.slice(r));
					n[t] = i, r += a;
				}
				break;
		}
	}
	return n;
}
function ln(e) {
	let t = e >> 4;
	if (t <= X.Min || t >= X.Max) throw Error("Not existing type");
	return t;
}
function un(e, t) {
	if (t && e.length !== t) throw Error("Wrong string length");
	let n = new Uint8Array(t ?? e.length);
	for (let t = 0; t < e.length; t++) n[t] = e.charCodeAt(t);
	return n;
}
function* dn(e, t) {
	let n = Math.ceil(e.length / t);
	for (let r = 0; r < t; r++) yield [r, e.slice(r * n, (r + 1) * n)];
}
function fn(e, t, n) {
	let r = new Uint8Array(e.length + t.length + n.length);
	return r.set(t), r.set(e, t.length), r.set(n, t.length + e.length), r;
}
function pn(e, t, n) {
	for (let r = 0; r < n; r++) if (e[r] !== t[r]) return !1;
	return !0;
}
//#endregion
//#region src/p2p/commands/commands.ts
function mn(e, t) {
	let { c: n, p: r, l: i } = e, a = new sn(n, t);
	return i?.length && a.addSimilarIntArr("l", i), r?.length && a.addSimilarIntArr("p", r), a.complete(), a.getResultBuffers();
}
function hn(e, t) {
	let n = new sn(e.c, t);
	return n.addInteger("i", e.i), n.addInteger("r", e.r), n.complete(), n.getResultBuffers();
}
function gn(e, t) {
	let n = new sn(e.c, t);
	return n.addInteger("i", e.i), n.addInteger("s", e.s), n.addInteger("r", e.r), n.complete(), n.getResultBuffers();
}
function _n(e, t) {
	let n = new sn(e.c, t);
	return n.addInteger("i", e.i), n.addInteger("r", e.r), e.b && n.addInteger("b", e.b), n.complete(), n.getResultBuffers();
}
function vn(e, t) {
	switch (e.c) {
		case Y.CancelSegmentRequest:
		case Y.SegmentAbsent:
		case Y.SegmentDataSendingCompleted: return hn(e, t);
		case Y.SegmentRequest: return _n(e, t);
		case Y.SegmentsAnnouncement: return mn(e, t);
		case Y.SegmentData: return gn(e, t);
	}
}
//#endregion
//#region src/p2p/commands/index.ts
var yn = /* @__PURE__ */ c({
	BinaryCommandChunksJoiner: () => on,
	BinaryCommandJoiningError: () => an,
	PeerCommandType: () => Y,
	deserializeCommand: () => cn,
	isCommandChunk: () => tn,
	serializePeerCommand: () => vn
}), bn = class {
	commandChunks;
	uploadingContext;
	onChunkDownloaded;
	onChunkUploaded;
	constructor(e, t, n, r) {
		this.connection = e, this.peerConfig = t, this.eventHandlers = n, this.onChunkDownloaded = r.getEventDispatcher("onChunkDownloaded"), this.onChunkUploaded = r.getEventDispatcher("onChunkUploaded"), e.on("data", this.onDataReceived);
	}
	onDataReceived = (e) => {
		tn(e) ? this.receivingCommandBytes(e) : (this.eventHandlers.onSegmentChunkReceived(e), this.onChunkDownloaded(e.byteLength, "p2p", this.connection.idUtf8));
	};
	sendCommand(e) {
		let t = vn(e, this.peerConfig.webRtcMaxMessageSize);
		for (let e of t) this.connection.write(e);
	}
	stopUploadingSegmentData() {
		this.uploadingContext?.stopUploading(), this.uploadingContext = void 0;
	}
	getUploadingRequestId() {
		return this.uploadingContext?.requestId;
	}
	async splitSegmentDataToChunksAndUploadAsync(e, t) {
		if (this.uploadingContext) throw Error("Some segment data is already uploading.");
		let n = xn(e, this.peerConfig.webRtcMaxMessageSize), { promise: r, resolve: i, reject: a } = gt(), o = !1, s = {
			stopUploading: () => {
				o = !1;
			},
			requestId: t
		};
		this.uploadingContext = s;
		let c = () => {
			if (!o) {
				a();
				return;
			}
			for (;;) {
				let e = n.next().value;
				if (!e) {
					i();
					break;
				}
				let t = this.connection.write(e);
				if (this.onChunkUploaded(e.byteLength, this.connection.idUtf8), !t) break;
			}
		};
		try {
			this.connection.on("drain", c), o = !0, c(), await r;
		} finally {
			this.connection.off("drain", c), this.uploadingContext === s && (this.uploadingContext = void 0);
		}
	}
	receivingCommandBytes(e) {
		this.commandChunks ??= new on((e) => {
			this.commandChunks = void 0;
			let t = cn(e);
			this.eventHandlers.onCommandReceived(t);
		});
		try {
			this.commandChunks.addCommandChunk(e);
		} catch (e) {
			if (!(e instanceof an)) return;
			this.commandChunks = void 0;
		}
	}
};
function* xn(e, t) {
	let n = e.byteLength;
	for (; n > 0;) {
		let r = n >= t ? t : n, i = e.byteLength - n, a = e.slice(i, i + r);
		n -= r, yield a;
	}
}
//#endregion
//#region src/bandwidth-calculator.ts
var Sn = 1, Cn = class {
	loadingsCount = 0;
	bytes = [];
	loadingOnlyTimestamps = [];
	timestamps = [];
	noLoadingsTime = 0;
	loadingsStoppedAt = 0;
	constructor(e = 2e4) {
		this.clearThresholdMs = e;
	}
	addBytes(e, t = performance.now()) {
		this.bytes.push(e), this.loadingOnlyTimestamps.push(t - this.noLoadingsTime), this.timestamps.push(t);
	}
	startLoading(e = performance.now()) {
		this.clearStale(), this.loadingsCount === 0 && this.loadingsStoppedAt !== 0 && (this.noLoadingsTime += e - this.loadingsStoppedAt), this.loadingsCount++;
	}
	stopLoading(e = performance.now()) {
		this.loadingsCount > 0 && (this.loadingsCount--, this.loadingsCount === 0 && (this.loadingsStoppedAt = e));
	}
	getBandwidthLoadingOnly(e, t = -Infinity) {
		if (!this.loadingOnlyTimestamps.length) return 0;
		let n = e * 1e3, r = this.loadingOnlyTimestamps[this.loadingOnlyTimestamps.length - 1], i = r, a = r - n, o = 0;
		for (let e = this.bytes.length - 1; e >= 0; e--) {
			let n = this.loadingOnlyTimestamps[e];
			if (n < a || this.timestamps[e] < t) break;
			i = n, o += this.bytes[e];
		}
		let s = Math.max(r - i, Sn);
		return o * 8e3 / s;
	}
	getBandwidth(e, t = -Infinity, n = performance.now()) {
		if (!this.timestamps.length) return 0;
		let r = n - e * 1e3, i = n, a = 0;
		for (let e = this.bytes.length - 1; e >= 0; e--) {
			let n = this.timestamps[e];
			if (n < r || n < t) break;
			i = n, a += this.bytes[e];
		}
		let o = Math.max(n - i, Sn);
		return a * 8e3 / o;
	}
	clearStale() {
		if (!this.loadingOnlyTimestamps.length) return;
		let e = this.loadingOnlyTimestamps[this.loadingOnlyTimestamps.length - 1] - this.clearThresholdMs, t = 0;
		for (let n of this.loadingOnlyTimestamps) {
			if (n > e) break;
			t++;
		}
		this.bytes.splice(0, t), this.loadingOnlyTimestamps.splice(0, t), this.timestamps.splice(0, t);
	}
	clear() {
		this.bytes.length = 0, this.loadingOnlyTimestamps.length = 0, this.timestamps.length = 0, this.loadingsCount = 0, this.noLoadingsTime = 0, this.loadingsStoppedAt = 0;
	}
}, { PeerCommandType: Q } = yn, wn = class e {
	id;
	peerProtocol;
	downloadingContext;
	loadedSegments = /* @__PURE__ */ new Set();
	httpLoadingSegments = /* @__PURE__ */ new Set();
	downloadingErrors = [];
	bandwidthCalculator = new Cn();
	cachedDownloadBandwidth = {
		value: 0,
		timestamp: 0
	};
	logger = (0, j.default)("p2pml-core:peer");
	onPeerClosed;
	constructor(t, n, r, i, a) {
		this.connection = t, this.eventHandlers = n, this.peerConfig = r, this.streamType = i, this.eventTarget = a, this.onPeerClosed = a.getEventDispatcher("onPeerClose"), this.id = e.getPeerIdFromConnection(t), this.peerProtocol = new bn(t, r, {
			onSegmentChunkReceived: this.onSegmentChunkReceived,
			onCommandReceived: this.onCommandReceived
		}, a), a.getEventDispatcher("onPeerConnect")({
			peerId: this.id,
			streamType: i
		}), t.on("error", this.onConnectionError), t.on("close", this.onPeerConnectionClosed), t.on("end", this.onPeerConnectionClosed), t.on("finish", this.onPeerConnectionClosed);
	}
	get downloadingSegment() {
		return this.downloadingContext?.request.segment;
	}
	get downloadBandwidth() {
		let e = performance.now();
		return e - this.cachedDownloadBandwidth.timestamp > 1e3 && (this.cachedDownloadBandwidth.value = this.bandwidthCalculator.getBandwidthLoadingOnly(15), this.cachedDownloadBandwidth.timestamp = e), this.cachedDownloadBandwidth.value;
	}
	getSegmentStatus(e) {
		let { externalId: t } = e;
		if (this.loadedSegments.has(t)) return "loaded";
		if (this.httpLoadingSegments.has(t)) return "http-loading";
	}
	onCommandReceived = async (e) => {
		switch (e.c) {
			case Q.SegmentsAnnouncement:
				this.loadedSegments = new Set(e.l), this.httpLoadingSegments = new Set(e.p), this.eventHandlers.onSegmentsAnnouncement();
				break;
			case Q.SegmentRequest:
				this.peerProtocol.stopUploadingSegmentData(), this.eventHandlers.onSegmentRequested(this, e.i, e.r, e.b);
				break;
			case Q.SegmentData:
				{
					if (!this.downloadingContext || this.downloadingContext.isSegmentDataCommandReceived) break;
					let { request: t, controls: n, requestId: r } = this.downloadingContext;
					if (t.segment.externalId !== e.i || r !== e.r) break;
					this.downloadingContext.isSegmentDataCommandReceived = !0, n.firstBytesReceived(), t.totalBytes === void 0 ? t.setTotalBytes(e.s) : t.totalBytes - t.loadedBytes !== e.s && (t.clearLoadedBytes(), this.sendCancelSegmentRequestCommand(t.segment, r), this.cancelSegmentDownloading("peer-response-bytes-length-mismatch"), this.destroy());
				}
				break;
			case Q.SegmentDataSendingCompleted: {
				let { downloadingContext: t } = this;
				if (!t?.isSegmentDataCommandReceived) return;
				let { request: n, controls: r } = t;
				if (t.request.segment.externalId !== e.i || t.requestId !== e.r) {
					n.clearLoadedBytes(), this.cancelSegmentDownloading("peer-protocol-violation"), this.destroy();
					return;
				}
				if (n.loadedBytes !== n.totalBytes) {
					n.clearLoadedBytes(), this.cancelSegmentDownloading("peer-response-bytes-length-mismatch"), this.destroy();
					return;
				}
				let i = await n.validateData(this.peerConfig.validateP2PSegment);
				if (this.downloadingContext !== t) return;
				if (!i) {
					n.clearLoadedBytes(), this.cancelSegmentDownloading("p2p-segment-validation-failed"), this.destroy();
					return;
				}
				this.downloadingErrors = [], r.completeOnSuccess(), this.bandwidthCalculator.stopLoading(), this.downloadingContext = void 0;
				break;
			}
			case Q.SegmentAbsent:
				this.downloadingContext?.request.segment.externalId === e.i && this.downloadingContext.requestId === e.r && (this.cancelSegmentDownloading("peer-segment-absent"), this.loadedSegments.delete(e.i));
				break;
			case Q.CancelSegmentRequest:
				if (this.peerProtocol.getUploadingRequestId() !== e.r) break;
				this.peerProtocol.stopUploadingSegmentData();
				break;
		}
	};
	onSegmentChunkReceived = (e) => {
		if (!this.downloadingContext?.isSegmentDataCommandReceived) return;
		let { request: t, controls: n } = this.downloadingContext;
		if (t.totalBytes !== void 0 && t.loadedBytes + e.byteLength > t.totalBytes) {
			t.clearLoadedBytes(), this.cancelSegmentDownloading("peer-response-bytes-length-mismatch"), this.destroy();
			return;
		}
		this.bandwidthCalculator.addBytes(e.byteLength), this.cachedDownloadBandwidth.timestamp = 0, n.addLoadedChunk(e);
	};
	downloadSegment(e) {
		if (this.downloadingContext) throw Error("Some segment already is downloading");
		if (e.tryCompleteByLoadedBytes({
			downloadSource: "p2p",
			peerId: this.id
		}, {
			notReceivingBytesTimeoutMs: this.peerConfig.p2pNotReceivingBytesTimeoutMs,
			abort: () => void 0
		}, this.peerConfig.validateP2PSegment, "p2p-segment-validation-failed")) return;
		this.bandwidthCalculator.startLoading(), this.downloadingContext = {
			request: e,
			requestId: Math.floor(Math.random() * 1e3),
			isSegmentDataCommandReceived: !1,
			controls: e.start({
				downloadSource: "p2p",
				peerId: this.id
			}, {
				notReceivingBytesTimeoutMs: this.peerConfig.p2pNotReceivingBytesTimeoutMs,
				abort: (e) => {
					if (!this.downloadingContext) return;
					let { request: t, requestId: n } = this.downloadingContext;
					this.sendCancelSegmentRequestCommand(t.segment, n), this.downloadingErrors.push(e), this.bandwidthCalculator.stopLoading(), e.type !== "abort" && (this.bandwidthCalculator.clear(), this.cachedDownloadBandwidth.timestamp = 0, this.logger(`cleared bandwidth history due to ${e.type}`)), this.downloadingContext = void 0, this.downloadingErrors.filter((e) => e.type === "bytes-receiving-timeout").length >= this.peerConfig.p2pErrorRetries && this.destroy();
				}
			})
		};
		let t = {
			c: Q.SegmentRequest,
			r: this.downloadingContext.requestId,
			i: e.segment.externalId
		};
		e.loadedBytes && (t.b = e.loadedBytes), this.peerProtocol.sendCommand(t);
	}
	async uploadSegmentData(e, t, n) {
		let { externalId: r } = e;
		this.logger(`send segment ${e.externalId} to ${this.id}`);
		let i = {
			c: Q.SegmentData,
			i: r,
			r: t,
			s: n.byteLength
		};
		this.peerProtocol.sendCommand(i);
		try {
			await this.peerProtocol.splitSegmentDataToChunksAndUploadAsync(n, t), this.sendSegmentDataSendingCompletedCommand(e, t), this.logger(`segment ${r} has been sent to ${this.id}`);
		} catch {
			this.logger(`cancel segment uploading ${r}`);
		}
	}
	cancelSegmentDownloading(e) {
		if (!this.downloadingContext) return;
		let { request: t, controls: n } = this.downloadingContext, { segment: r } = t;
		this.logger(`cancel segment request ${r.externalId} (${e})`);
		let i = new d(e);
		n.abortOnError(i), this.bandwidthCalculator.stopLoading(), this.bandwidthCalculator.clear(), this.cachedDownloadBandwidth.timestamp = 0, this.logger(`cleared bandwidth history due to ${i.type}`), this.downloadingContext = void 0, this.downloadingErrors.push(i);
	}
	sendSegmentsAnnouncementCommand(e, t) {
		let n = {
			c: Q.SegmentsAnnouncement,
			p: t,
			l: e
		};
		this.peerProtocol.sendCommand(n);
	}
	sendSegmentAbsentCommand(e, t) {
		this.peerProtocol.sendCommand({
			c: Q.SegmentAbsent,
			i: e,
			r: t
		});
	}
	sendCancelSegmentRequestCommand(e, t) {
		this.peerProtocol.sendCommand({
			c: Q.CancelSegmentRequest,
			i: e.externalId,
			r: t
		});
	}
	sendSegmentDataSendingCompletedCommand(e, t) {
		this.peerProtocol.sendCommand({
			c: Q.SegmentDataSendingCompleted,
			r: t,
			i: e.externalId
		});
	}
	onPeerConnectionClosed = () => {
		this.destroy();
	};
	onConnectionError = (e) => {
		this.logger(`peer connection error ${this.id} %O`, e), this.eventTarget.getEventDispatcher("onPeerError")({
			peerId: this.id,
			streamType: this.streamType,
			error: e
		});
		let { code: t } = e;
		(t === "ERR_DATA_CHANNEL" || t === "ERR_CONNECTION_FAILURE") && this.destroy();
	};
	destroy = () => {
		this.cancelSegmentDownloading("peer-closed"), this.connection.destroy(), this.eventHandlers.onPeerClosed(this), this.onPeerClosed({
			peerId: this.id,
			streamType: this.streamType
		}), this.logger(`peer closed ${this.id}`);
	};
	static getPeerIdFromConnection(e) {
		return xt(e.id);
	}
};
//#endregion
//#region src/p2p/tracker-client.ts
function Tn() {
	let e = /^((?!chrome|android).)*safari/i.test(navigator.userAgent), t = /\b(iPad|iPhone|Macintosh).*AppleWebKit(?!.*Safari)/i.test(navigator.userAgent);
	return e || t;
}
var En = class e {
	static PEER_ID_BY_INFO_HASH = /* @__PURE__ */ new Map();
	streamShortId;
	client;
	_peers = /* @__PURE__ */ new Map();
	logger = (0, j.default)("p2pml-core:p2p-tracker-client");
	constructor(t, n, r, i, a) {
		this.stream = n, this.eventHandlers = r, this.config = i, this.eventTarget = a;
		let o = Nt(t);
		this.streamShortId = J(n);
		let s = e.PEER_ID_BY_INFO_HASH.get(o);
		s || (s = Pt(i.trackerClientVersionPrefix), e.PEER_ID_BY_INFO_HASH.set(o, s)), this.client = new ht({
			infoHash: bt(o),
			peerId: bt(s),
			announce: Tn() ? i.announceTrackers.slice(0, 1) : i.announceTrackers,
			rtcConfig: this.config.rtcConfig
		}), this.client.on("peer", this.onReceivePeerConnection), this.client.on("warning", this.onTrackerClientWarning), this.client.on("error", this.onTrackerClientError), this.logger(`create new client; \nstream: ${this.streamShortId}; hash: ${o}\npeerId: ${s}`);
	}
	start() {
		this.client.start();
	}
	destroy() {
		this.client.destroy();
		for (let { peer: e, potentialConnections: t } of this._peers.values()) {
			e?.destroy();
			for (let e of t) e.destroy();
		}
		this._peers.clear(), this.logger("destroy client; stream:", this.streamShortId);
	}
	onReceivePeerConnection = (e) => {
		let t = wn.getPeerIdFromConnection(e), n = this._peers.get(t);
		if (n?.peer) {
			e.destroy();
			return;
		}
		n || (n = { potentialConnections: /* @__PURE__ */ new Set() }, e.idUtf8 = t, this._peers.set(t, n)), n.potentialConnections.add(e), e.on("connect", () => {
			if (!n.peer) {
				for (let t of n.potentialConnections) t !== e && t.destroy();
				n.potentialConnections.clear(), n.peer = new wn(e, {
					onPeerClosed: this.onPeerClosed,
					onSegmentRequested: this.eventHandlers.onSegmentRequested,
					onSegmentsAnnouncement: this.eventHandlers.onSegmentsAnnouncement
				}, this.config, this.stream.type, this.eventTarget), this.logger(`connected with peer: ${n.peer.id} ${this.streamShortId}`), this.eventHandlers.onPeerConnected(n.peer);
			}
		});
	};
	onTrackerClientWarning = (e) => {
		this.logger("tracker warning %s:", this.streamShortId, e), this.eventTarget.getEventDispatcher("onTrackerWarning")({
			streamType: this.stream.type,
			warning: e
		});
	};
	onTrackerClientError = (e) => {
		this.logger("tracker error in stream %s:", this.streamShortId, e), this.eventTarget.getEventDispatcher("onTrackerError")({
			streamType: this.stream.type,
			error: e
		});
	};
	*peers() {
		for (let e of this._peers.values()) e.peer && (yield e.peer);
	}
	onPeerClosed = (e) => {
		this.logger(`peer closed: ${e.id}`), this._peers.delete(e.id);
	};
	static clearPeerIdCache() {
		e.PEER_ID_BY_INFO_HASH.clear();
	}
}, Dn = "v2";
function On({ bitrate: e, codecs: t, width: n, height: r, language: i, channels: a, name: o, frameRate: s, videoRange: c }) {
	let l = t ? t.split(",").map((e) => {
		e = e.trim().toLowerCase();
		let t = e.split(".");
		if (t.length === 3 && (t[0] === "avc1" || t[0] === "avc")) {
			let n = parseInt(t[1], 10), r = parseInt(t[2], 10);
			if (!isNaN(n) && !isNaN(r) && t[1] === n.toString() && t[2] === r.toString()) {
				let i = n.toString(16).padStart(2, "0"), a = r.toString(16).padStart(2, "0");
				e = `${t[0]}.${i}00${a}`;
			}
		}
		return e;
	}).sort().join(",") : "", u = i && i !== "und" ? i.slice(0, 2).toLowerCase() : "", d = a ? a.toString().split("/")[0] : "", f = o ? o.toLowerCase().trim() : "", p = s && !isNaN(Number(s)) ? Number(s).toString() : "", ee = c ? c.toUpperCase().trim() : "", m = `${e ?? 0}-${l}-${n ?? ""}-${r ?? ""}-${u}-${d}-${f}-${p}-${ee}`;
	return btoa(kt(m));
}
function $(e, t) {
	return `${Dn}-${e}-${jn(t)}`;
}
function kn(e, t) {
	for (let n of e.values()) {
		let e = n.segments.get(t);
		if (e) return e;
	}
}
function An(e, t) {
	for (let n of e.segments.values()) if (n.externalId === t) return n;
}
function jn(e) {
	return `${e.type}-${e.index}`;
}
function Mn(e) {
	let { segments: t } = e, n = 0, { size: r } = t;
	for (let e of t.values()) {
		let t = e.endTime - e.startTime;
		n += t;
	}
	return n / r;
}
function Nn(e, t) {
	let { highDemandTimeWindow: n, httpDownloadTimeWindow: r, p2pDownloadTimeWindow: i } = e, a = {
		highDemandTimeWindow: n,
		httpDownloadTimeWindow: r,
		p2pDownloadTimeWindow: i
	};
	return t <= 5 ? (a.httpDownloadTimeWindow = 0, a.p2pDownloadTimeWindow = 0) : t <= 10 && (a.p2pDownloadTimeWindow = a.httpDownloadTimeWindow), a;
}
function Pn(e, t, n, r, i) {
	let { highDemandTimeWindow: a, httpDownloadTimeWindow: o, p2pDownloadTimeWindow: s } = Nn(n, i);
	return {
		isHighDemand: Fn(e, t, a),
		isHttpDownloadable: Fn(e, t, o),
		isP2PDownloadable: Fn(e, t, s) && r.isSegmentLoadingOrLoadedBySomeone(e)
	};
}
function Fn(e, t, n) {
	let { startTime: r, endTime: i } = e, { position: a, rate: o } = t;
	return !(a + n * o < r || a > i);
}
//#endregion
//#region src/p2p/loader.ts
var In = class {
	trackerClient;
	isAnnounceMicrotaskCreated = !1;
	constructor(e, t, n, r, i, a, o) {
		this.streamManifestUrl = e, this.stream = t, this.requests = n, this.segmentStorage = r, this.config = i, this.eventTarget = a, this.onSegmentAnnouncement = o;
		let s = $(this.config.swarmId ?? this.streamManifestUrl, this.stream);
		this.trackerClient = new En(s, this.stream, {
			onPeerConnected: this.onPeerConnected,
			onSegmentRequested: this.onSegmentRequested,
			onSegmentsAnnouncement: this.onSegmentAnnouncement
		}, this.config, this.eventTarget), this.eventTarget.addEventListener(`onStorageUpdated-${s}`, this.broadcastAnnouncement), this.segmentStorage.setSegmentChangeCallback((e) => {
			this.eventTarget.dispatchEvent(`onStorageUpdated-${e}`);
		}), this.trackerClient.start();
	}
	downloadSegment(e) {
		let t = [];
		for (let n of this.trackerClient.peers()) !n.downloadingSegment && n.getSegmentStatus(e) === "loaded" && t.push(n);
		if (t.length === 0) return;
		let n;
		if (t.length === 1) n = t[0];
		else {
			let e = 0;
			for (let n of t) {
				let t = n.downloadBandwidth;
				t > e && (e = t);
			}
			if (e > 0) {
				let r = Math.max(1, e * .1), i = 0, a = 0;
				for (let e of t) e.downloadBandwidth <= r ? i++ : a += e.downloadBandwidth;
				let o = r;
				i > 0 && a > 0 && i * r > a && (o = a / i), n = yt(t, (e) => Math.max(e.downloadBandwidth, o));
			} else n = vt(t);
		}
		let r = this.requests.getOrCreateRequest(e);
		n.downloadSegment(r);
	}
	isSegmentLoadingOrLoadedBySomeone(e) {
		for (let t of this.trackerClient.peers()) if (t.getSegmentStatus(e)) return !0;
		return !1;
	}
	isSegmentLoadedBySomeone(e) {
		for (let t of this.trackerClient.peers()) if (t.getSegmentStatus(e) === "loaded") return !0;
		return !1;
	}
	get connectedPeerCount() {
		let e = 0, t = this.trackerClient.peers();
		for (; !t.next().done;) e++;
		return e;
	}
	getSegmentsAnnouncement() {
		let e = this.config.swarmId ?? this.streamManifestUrl, t = $(e, this.stream), n = this.segmentStorage.getStoredSegmentIds(e, t), r = [];
		for (let e of this.requests.httpRequests()) {
			let t = this.stream.segments.get(e.segment.runtimeId);
			t && r.push(t.externalId);
		}
		return {
			loaded: n,
			httpLoading: r
		};
	}
	onPeerConnected = (e) => {
		if (this.config.isP2PUploadDisabled) return;
		let { httpLoading: t, loaded: n } = this.getSegmentsAnnouncement();
		e.sendSegmentsAnnouncementCommand(n, t);
	};
	broadcastAnnouncement = (e = !1) => {
		if (e) {
			this.sendSegmentsAnnouncement(e);
			return;
		}
		this.isAnnounceMicrotaskCreated || this.config.isP2PUploadDisabled || this.sendSegmentsAnnouncement();
	};
	sendSegmentsAnnouncement = (e = !1) => {
		this.isAnnounceMicrotaskCreated = !0, queueMicrotask(() => {
			let { loaded: t = [], httpLoading: n = [] } = e ? {} : this.getSegmentsAnnouncement();
			for (let e of this.trackerClient.peers()) e.sendSegmentsAnnouncementCommand(t, n);
			this.isAnnounceMicrotaskCreated = !1;
		});
	};
	onSegmentRequested = async (e, t, n, r) => {
		let i = An(this.stream, t);
		if (!i) return;
		if (this.config.isP2PUploadDisabled) {
			e.sendSegmentAbsentCommand(t, n);
			return;
		}
		let a = this.config.swarmId ?? this.streamManifestUrl, o = $(a, this.stream), s = await this.segmentStorage.getSegmentData(a, o, i.externalId);
		if (!s) {
			e.sendSegmentAbsentCommand(t, n);
			return;
		}
		await e.uploadSegmentData(i, n, r === void 0 ? s : s.slice(r));
	};
	destroy() {
		let e = $(this.config.swarmId ?? this.streamManifestUrl, this.stream);
		this.eventTarget.removeEventListener(`onStorageUpdated-${e}`, this.broadcastAnnouncement), this.trackerClient.destroy();
	}
}, Ln = class {
	loaders = /* @__PURE__ */ new Map();
	_currentLoaderItem;
	logger = (0, j.default)("p2pml-core:p2p-loaders-container");
	constructor(e, t, n, r, i, a, o) {
		this.streamManifestUrl = e, this.requests = n, this.segmentStorage = r, this.config = i, this.eventTarget = a, this.onSegmentAnnouncement = o, this._currentLoaderItem = this.findOrCreateLoaderForStream(t), this.logger(`set current p2p loader: ${J(t)}`);
	}
	createLoader(e) {
		if (this.loaders.has(e.runtimeId)) throw Error("Loader for this stream already exists");
		let t = new In(this.streamManifestUrl, e, this.requests, this.segmentStorage, this.config, this.eventTarget, () => {
			this._currentLoaderItem.loader === t && this.onSegmentAnnouncement();
		}), n = J(e);
		return this.logger(`created new loader: ${n}`), {
			loader: t,
			stream: e,
			loggerInfo: J(e)
		};
	}
	findOrCreateLoaderForStream(e) {
		let t = this.loaders.get(e.runtimeId);
		if (t) return clearTimeout(t.destroyTimeoutId), t.destroyTimeoutId = void 0, t;
		{
			let t = this.createLoader(e);
			return this.loaders.set(e.runtimeId, t), t;
		}
	}
	changeCurrentLoader(e) {
		let t = this.config.swarmId ?? this.streamManifestUrl, n = $(t, this._currentLoaderItem.stream);
		this.segmentStorage.getStoredSegmentIds(t, n).length ? this.setLoaderDestroyTimeout(this._currentLoaderItem) : this.destroyAndRemoveLoader(this._currentLoaderItem), this._currentLoaderItem = this.findOrCreateLoaderForStream(e), this.logger(`change current p2p loader: ${J(e)}`);
	}
	setLoaderDestroyTimeout(e) {
		e.destroyTimeoutId = window.setTimeout(() => this.destroyAndRemoveLoader(e), this.config.p2pInactiveLoaderDestroyTimeoutMs);
	}
	destroyAndRemoveLoader(e) {
		e.loader.destroy(), this.loaders.delete(e.stream.runtimeId), this.logger("destroy p2p loader: ", e.loggerInfo);
	}
	get currentLoader() {
		return this._currentLoaderItem.loader;
	}
	destroy() {
		for (let { loader: e, destroyTimeoutId: t } of this.loaders.values()) e.destroy(), clearTimeout(t);
		this.loaders.clear();
	}
};
//#endregion
//#region src/requests/request.ts
function Rn(e) {
	return {
		runtimeId: e.runtimeId,
		externalId: e.externalId,
		url: e.url,
		byteRange: e.byteRange,
		startTime: e.startTime,
		endTime: e.endTime
	};
}
var zn = class {
	currentAttempt;
	_failedAttempts = new Bn();
	finalData;
	bytes = [];
	_loadedBytes = 0;
	_totalBytes;
	_status = "not-started";
	progress;
	notReceivingBytesTimeout;
	_abortRequestCallback;
	_logger;
	_isHandledByProcessQueue = !1;
	onSegmentError;
	onSegmentAbort;
	onSegmentStart;
	onSegmentLoaded;
	constructor(e, t, n, r, i, a) {
		this.segment = e, this.requestProcessQueueCallback = t, this.bandwidthCalculators = n, this.playback = r, this.playbackConfig = i, this.onSegmentError = a.getEventDispatcher("onSegmentError"), this.onSegmentAbort = a.getEventDispatcher("onSegmentAbort"), this.onSegmentStart = a.getEventDispatcher("onSegmentStart"), this.onSegmentLoaded = a.getEventDispatcher("onSegmentLoaded");
		let { byteRange: o } = this.segment;
		if (o) {
			let { end: e, start: t } = o;
			this._totalBytes = e - t + 1;
		}
		this.notReceivingBytesTimeout = new Vn(this.abortOnTimeout);
		let { type: s } = this.segment.stream;
		this._logger = (0, j.default)(`p2pml-core:request-${s}`);
	}
	clearLoadedBytes() {
		this._loadedBytes = 0, this.bytes = [], this._totalBytes = this.segment.byteRange ? this.segment.byteRange.end - this.segment.byteRange.start + 1 : void 0, this.finalData = void 0;
	}
	get status() {
		return this._status;
	}
	setStatus(e) {
		this._status = e, this._isHandledByProcessQueue = !1;
	}
	get downloadSource() {
		return this.currentAttempt?.downloadSource;
	}
	get loadedBytes() {
		return this._loadedBytes;
	}
	get totalBytes() {
		return this._totalBytes;
	}
	get data() {
		return this.finalData ??= _t(this.bytes).buffer, this.finalData;
	}
	get failedAttempts() {
		return this._failedAttempts;
	}
	get isHandledByProcessQueue() {
		return this._isHandledByProcessQueue;
	}
	markHandledByProcessQueue() {
		this._isHandledByProcessQueue = !0;
	}
	setTotalBytes(e) {
		if (this._totalBytes !== void 0) throw Error("Request total bytes value is already set");
		this._totalBytes = e;
	}
	tryCompleteByLoadedBytes(e, t, n, r) {
		if (!this._totalBytes) return !1;
		if (this._loadedBytes > this._totalBytes) return this.logger(`${e.downloadSource} ${this.segment.externalId} loaded bytes overflow: ${this._loadedBytes} > ${this._totalBytes}, clearing`), this.clearLoadedBytes(), !1;
		if (this._loadedBytes !== this._totalBytes) return !1;
		let i = this.start(e, t);
		return this.notReceivingBytesTimeout.clear(), n ? this.validateAndComplete(e.downloadSource, i, n, r) : i.completeOnSuccess(), !0;
	}
	async validateData(e) {
		if (!e) return !0;
		try {
			return await e(this.segment.url, this.segment.byteRange, this.data);
		} catch (e) {
			return this.logger(`validation threw an error: ${String(e)}`), !1;
		}
	}
	async validateAndComplete(e, t, n, r) {
		let i = await this.validateData(n);
		if (this._status === "loading") {
			if (!i) {
				this.logger(`${e} ${this.segment.externalId} validation failed for already-loaded bytes, clearing`), this.clearLoadedBytes(), t.abortOnError(new d(r));
				return;
			}
			this.logger(`${e} ${this.segment.externalId} validation passed for already-loaded bytes`), t.completeOnSuccess();
		}
	}
	start(e, t) {
		if (this._status === "succeed") throw Error(`Request ${this.segment.externalId} has been already succeed.`);
		if (this._status === "loading") throw Error(`Request ${this.segment.externalId} has been already started.`);
		this.setStatus("loading"), this.currentAttempt = { ...e }, this.progress = {
			startFromByte: this._loadedBytes,
			loadedBytes: 0,
			startTimestamp: performance.now()
		}, this.manageBandwidthCalculatorsState("start");
		let { notReceivingBytesTimeoutMs: n, abort: r } = t;
		return this._abortRequestCallback = r, n !== void 0 && this.notReceivingBytesTimeout.start(n), this.logger(`${e.downloadSource} ${this.segment.externalId} started`), this.onSegmentStart({
			segment: Rn(this.segment),
			downloadSource: e.downloadSource,
			peerId: e.downloadSource === "p2p" ? e.peerId : void 0
		}), {
			firstBytesReceived: this.firstBytesReceived,
			addLoadedChunk: this.addLoadedChunk,
			completeOnSuccess: this.completeOnSuccess,
			abortOnError: this.abortOnError
		};
	}
	abortFromProcessQueue() {
		this.throwErrorIfNotLoadingStatus(), this.setStatus("aborted"), this.logger(`${this.currentAttempt?.downloadSource} ${this.segment.externalId} aborted`), this._abortRequestCallback?.(new d("abort")), this.onSegmentAbort({
			segment: Rn(this.segment),
			downloadSource: this.currentAttempt?.downloadSource,
			peerId: this.currentAttempt?.downloadSource === "p2p" ? this.currentAttempt.peerId : void 0,
			streamType: this.segment.stream.type
		}), this._abortRequestCallback = void 0, this.manageBandwidthCalculatorsState("stop"), this.notReceivingBytesTimeout.clear();
	}
	abortOnTimeout = () => {
		if (this.throwErrorIfNotLoadingStatus(), !this.currentAttempt) return;
		let e = new d("bytes-receiving-timeout");
		this._abortRequestCallback?.(e), this.handleFailure(e);
	};
	abortOnError = (e) => {
		this.throwErrorIfNotLoadingStatus(), this.currentAttempt && this.handleFailure(e);
	};
	handleFailure = (e) => {
		this.currentAttempt && (this.setStatus("failed"), this.logger(`${this.downloadSource} ${this.segment.externalId} failed ${e.type}`), this._failedAttempts.add({
			...this.currentAttempt,
			error: e
		}), this.onSegmentError({
			segment: Rn(this.segment),
			error: e,
			downloadSource: this.currentAttempt.downloadSource,
			peerId: this.currentAttempt.downloadSource === "p2p" ? this.currentAttempt.peerId : void 0,
			streamType: this.segment.stream.type
		}), this.notReceivingBytesTimeout.clear(), this.manageBandwidthCalculatorsState("stop"), this.requestProcessQueueCallback());
	};
	completeOnSuccess = () => {
		this.throwErrorIfNotLoadingStatus(), this.currentAttempt && (this.manageBandwidthCalculatorsState("stop"), this.notReceivingBytesTimeout.clear(), this.setStatus("succeed"), this._totalBytes = this._loadedBytes, this.onSegmentLoaded({
			segmentUrl: this.segment.url,
			bytesLength: this.data.byteLength,
			downloadSource: this.currentAttempt.downloadSource,
			peerId: this.currentAttempt.downloadSource === "p2p" ? this.currentAttempt.peerId : void 0,
			streamType: this.segment.stream.type
		}), this.logger(`${this.currentAttempt.downloadSource} ${this.segment.externalId} succeed`), this.requestProcessQueueCallback());
	};
	addLoadedChunk = (e) => {
		if (this.throwErrorIfNotLoadingStatus(), !this.currentAttempt || !this.progress) return;
		this.notReceivingBytesTimeout.restart();
		let { byteLength: t } = e, { all: n, http: r } = this.bandwidthCalculators;
		n.addBytes(t), this.currentAttempt.downloadSource === "http" && r.addBytes(t), this.bytes.push(e), this.progress.lastLoadedChunkTimestamp = performance.now(), this.progress.loadedBytes += t, this._loadedBytes += t;
	};
	firstBytesReceived = () => {
		this.throwErrorIfNotLoadingStatus(), this.notReceivingBytesTimeout.restart();
	};
	throwErrorIfNotLoadingStatus() {
		if (this._status !== "loading") throw Error(`Request has been already ${this.status}.`);
	}
	logger(e) {
		this._logger.color = this.currentAttempt?.downloadSource === "http" ? "green" : "red", this._logger(e), this._logger.color = "";
	}
	manageBandwidthCalculatorsState(e) {
		let { all: t, http: n } = this.bandwidthCalculators, r = e === "start" ? "startLoading" : "stopLoading";
		this.currentAttempt?.downloadSource === "http" && n[r](), t[r]();
	}
}, Bn = class {
	attempts = [];
	add(e) {
		this.attempts.push(e);
	}
	get httpAttemptsCount() {
		return this.attempts.reduce((e, t) => t.downloadSource === "http" ? e + 1 : e, 0);
	}
	get p2pAttemptsCount() {
		return this.attempts.reduce((e, t) => t.downloadSource === "p2p" ? e + 1 : e, 0);
	}
	get lastAttempt() {
		return this.attempts[this.attempts.length - 1];
	}
	clear() {
		this.attempts = [];
	}
}, Vn = class {
	timeoutId;
	ms;
	constructor(e) {
		this.action = e;
	}
	start(e) {
		if (this.timeoutId) throw Error("Timeout is already started.");
		this.ms = e, this.timeoutId = window.setTimeout(this.action, this.ms);
	}
	restart(e) {
		this.timeoutId && clearTimeout(this.timeoutId), e && (this.ms = e), this.ms && (this.timeoutId = window.setTimeout(this.action, this.ms));
	}
	clear() {
		clearTimeout(this.timeoutId), this.timeoutId = void 0;
	}
}, Hn = class {
	requests = /* @__PURE__ */ new Map();
	constructor(e, t, n, r, i) {
		this.requestProcessQueueCallback = e, this.bandwidthCalculators = t, this.playback = n, this.config = r, this.eventTarget = i;
	}
	get executingHttpCount() {
		let e = 0;
		for (let t of this.httpRequests()) t.status === "loading" && e++;
		return e;
	}
	get executingP2PCount() {
		let e = 0;
		for (let t of this.p2pRequests()) t.status === "loading" && e++;
		return e;
	}
	get(e) {
		return this.requests.get(e);
	}
	getOrCreateRequest(e) {
		let t = this.requests.get(e);
		return t || (t = new zn(e, this.requestProcessQueueCallback, this.bandwidthCalculators, this.playback, this.config, this.eventTarget), this.requests.set(e, t)), t;
	}
	remove(e) {
		this.requests.delete(e.segment);
	}
	items() {
		return this.requests.values();
	}
	*httpRequests() {
		for (let e of this.requests.values()) e.downloadSource === "http" && (yield e);
	}
	*p2pRequests() {
		for (let e of this.requests.values()) e.downloadSource === "p2p" && (yield e);
	}
	destroy() {
		for (let e of this.requests.values()) e.status === "loading" && e.abortFromProcessQueue();
		this.requests.clear();
	}
}, Un = class {
	_status = "pending";
	_shouldBeStartedImmediately = !1;
	constructor(e, t) {
		this.segment = e, this.engineCallbacks = t;
	}
	get status() {
		return this._status;
	}
	get shouldBeStartedImmediately() {
		return this._shouldBeStartedImmediately;
	}
	resolve(e, t) {
		this._status === "pending" && (this._status = "succeed", this.engineCallbacks.onSuccess({
			data: e,
			bandwidth: t
		}));
	}
	reject() {
		this._status === "pending" && (this._status = "failed", this.engineCallbacks.onError(new f("failed")));
	}
	abort() {
		this._status === "pending" && (this._status = "aborted", this.engineCallbacks.onError(new f("aborted")));
	}
	markAsShouldBeStartedImmediately() {
		this._shouldBeStartedImmediately = !0;
	}
};
//#endregion
//#region src/utils/queue.ts
function* Wn(e, t, n, r, i) {
	let { runtimeId: a, stream: o } = e, s = o.segments.get(a);
	if (!s) return;
	let c = o.segments.values(), l;
	do {
		let e = c.next();
		if (e.done) return;
		l = e.value;
	} while (l !== s);
	let u = Pn(l, t, n, r, i);
	if (Gn(u)) {
		let e = c.next();
		if (e.done) return;
		let a = e.value, o = Pn(a, t, n, r, i);
		if (Gn(o)) return;
		u.isHighDemand = !0, yield {
			segment: l,
			statuses: u
		}, yield {
			segment: a,
			statuses: o
		};
	} else yield {
		segment: l,
		statuses: u
	};
	for (let e of c) {
		let a = Pn(e, t, n, r, i);
		if (Gn(a)) break;
		yield {
			segment: e,
			statuses: a
		};
	}
}
function Gn(e) {
	let { isHighDemand: t, isHttpDownloadable: n, isP2PDownloadable: r } = e;
	return !t && !n && !r;
}
//#endregion
//#region src/hybrid-loader.ts
var Kn = 6e4, qn = 1e3, Jn = class {
	requests;
	engineRequest;
	p2pLoaders;
	playback;
	segmentAvgDuration;
	logger;
	levelChangedTimestamp;
	lastQueueProcessingTimeStamp;
	randomHttpDownloadTimeout;
	initialHttpDelayTimeoutId;
	isProcessQueueMicrotaskCreated = !1;
	createdAt = performance.now();
	constructor(e, t, n, r, i, a, o) {
		this.streamManifestUrl = e, this.lastRequestedSegment = t, this.streamDetails = n, this.config = r, this.bandwidthCalculators = i, this.segmentStorage = a, this.eventTarget = o;
		let s = this.lastRequestedSegment.stream;
		this.playback = {
			position: this.lastRequestedSegment.startTime,
			rate: 1
		}, this.segmentAvgDuration = Mn(s), this.requests = new Hn(this.requestProcessQueueMicrotask, this.bandwidthCalculators, this.playback, this.config, this.eventTarget), this.p2pLoaders = new Ln(this.streamManifestUrl, this.lastRequestedSegment.stream, this.requests, this.segmentStorage, this.config, this.eventTarget, this.requestProcessQueueMicrotask), this.logger = (0, j.default)(`p2pml-core:hybrid-loader-${s.type}`), this.logger.color = "coral", this.setIntervalLoading();
	}
	setIntervalLoading() {
		let e = this.p2pLoaders.currentLoader.connectedPeerCount, t = Math.random() * qn * e + qn;
		this.randomHttpDownloadTimeout = window.setTimeout(() => {
			this.loadRandomThroughHttp(), this.setIntervalLoading();
		}, t);
	}
	async loadSegment(e, t) {
		this.logger(`requests: ${It(e)}`);
		let { stream: n } = e;
		n !== this.lastRequestedSegment.stream && (this.logger(`stream changed to ${J(n)}`), this.p2pLoaders.changeCurrentLoader(n)), this.lastRequestedSegment = e;
		let r = this.config.swarmId ?? this.streamManifestUrl, i = $(r, n);
		this.segmentStorage.onSegmentRequested(r, i, e.externalId, e.startTime, e.endTime, n.type, this.streamDetails.isLive);
		let a = new Un(e, t);
		try {
			if (this.segmentStorage.hasSegment(r, i, e.externalId)) {
				let t = await this.segmentStorage.getSegmentData(r, i, e.externalId);
				if (t) {
					let { queueDownloadRatio: e } = this.generateQueue();
					a.resolve(t, this.getBandwidth(e));
					return;
				}
			}
			this.engineRequest?.abort(), this.engineRequest = a;
			let t = this.requests.get(e);
			t?.status === "failed" && t.failedAttempts.clear();
		} catch (t) {
			this.logger(`request failed for ${It(e)} in ${J(n)}`, t), a.reject();
		} finally {
			this.requestProcessQueueMicrotask();
		}
	}
	requestProcessQueueMicrotask = (e = !0) => {
		let t = performance.now();
		!e && this.lastQueueProcessingTimeStamp !== void 0 && t - this.lastQueueProcessingTimeStamp <= 1e3 || this.isProcessQueueMicrotaskCreated || (this.isProcessQueueMicrotaskCreated = !0, queueMicrotask(() => {
			try {
				this.processQueue(), this.lastQueueProcessingTimeStamp = t;
			} finally {
				this.isProcessQueueMicrotaskCreated = !1;
			}
		}));
	};
	processRequests(e, t) {
		let { stream: n } = this.lastRequestedSegment, { httpErrorRetries: r } = this.config, i = performance.now();
		for (let a of this.requests.items()) {
			let { downloadSource: o, status: s, segment: c, isHandledByProcessQueue: l } = a, u = this.engineRequest?.segment === c ? this.engineRequest : void 0;
			switch (s) {
				case "loading":
					!e.has(c.runtimeId) && !u && (a.abortFromProcessQueue(), this.requests.remove(a));
					break;
				case "succeed": {
					if (!o) break;
					o === "http" && this.p2pLoaders.currentLoader.broadcastAnnouncement(), u && (u.resolve(a.data, this.getBandwidth(t)), this.engineRequest = void 0), this.requests.remove(a);
					let e = this.config.swarmId ?? this.streamManifestUrl, r = $(e, n);
					this.segmentStorage.storeSegment(e, r, c.externalId, a.data, c.startTime, c.endTime, c.stream.type, this.streamDetails.isLive);
					break;
				}
				case "failed":
					o === "http" && !l && this.p2pLoaders.currentLoader.broadcastAnnouncement(), !u && !n.segments.has(a.segment.runtimeId) && this.requests.remove(a), a.failedAttempts.httpAttemptsCount >= r && u && (this.engineRequest = void 0, u.reject());
					break;
				case "not-started":
					this.requests.remove(a);
					break;
				case "aborted":
					this.requests.remove(a);
					break;
			}
			a.markHandledByProcessQueue();
			let { lastAttempt: d } = a.failedAttempts;
			d && i - d.error.timestamp > Kn && a.failedAttempts.clear();
		}
	}
	processQueue() {
		let { queue: e, queueSegmentIds: t, queueDownloadRatio: n } = this.generateQueue();
		this.processRequests(t, n);
		let { simultaneousHttpDownloads: r, simultaneousP2PDownloads: i, httpErrorRetries: a, httpDownloadInitialTimeoutMs: o } = this.config, s = performance.now() - this.createdAt, c = o > 0 && s < o;
		c && (this.initialHttpDelayTimeoutId ??= window.setTimeout(() => {
			this.initialHttpDelayTimeoutId = void 0, this.requestProcessQueueMicrotask();
		}, o - s));
		let { engineRequest: l } = this;
		if (l) {
			let { segment: e } = l, t = this.requests.get(e);
			l.shouldBeStartedImmediately && l.status === "pending" && (!t || t.status === "not-started" || t.status === "failed" || t.status === "aborted") && (!c && (t?.failedAttempts.httpAttemptsCount ?? 0) < a && this.requests.executingHttpCount < r ? this.loadThroughHttp(e) : this.p2pLoaders.currentLoader.isSegmentLoadedBySomeone(e) && this.requests.executingP2PCount < i && this.loadThroughP2P(e));
		}
		for (let t of e) {
			let { statuses: n, segment: o } = t, s = this.requests.get(o);
			if (s?.status !== "succeed") if (n.isHighDemand) {
				let t = !c && (s?.failedAttempts.httpAttemptsCount ?? 0) < a;
				if (s?.status === "loading") {
					t && s.downloadSource === "p2p" && (this.requests.executingHttpCount < r || this.abortLastHttpLoadingInQueueAfterItem(e, o)) && (s.abortFromProcessQueue(), this.loadThroughHttp(o));
					continue;
				}
				if (t && (this.requests.executingHttpCount < r || this.abortLastHttpLoadingInQueueAfterItem(e, o))) {
					this.loadThroughHttp(o);
					continue;
				}
				this.p2pLoaders.currentLoader.isSegmentLoadedBySomeone(o) && (this.requests.executingP2PCount < i || this.abortLastP2PLoadingInQueueAfterItem(e, o)) && this.loadThroughP2P(o);
			} else n.isP2PDownloadable && s?.status !== "loading" && this.requests.executingP2PCount < i && this.loadThroughP2P(o);
		}
	}
	abortSegmentRequest(e) {
		this.engineRequest?.segment.runtimeId === e && (this.engineRequest.abort(), this.logger("abort: ", It(this.engineRequest.segment)), this.engineRequest = void 0, this.requestProcessQueueMicrotask());
	}
	loadThroughHttp(e) {
		new p(this.requests.getOrCreateRequest(e), this.config, this.eventTarget).execute(), this.p2pLoaders.currentLoader.broadcastAnnouncement();
	}
	loadThroughP2P(e) {
		this.p2pLoaders.currentLoader.downloadSegment(e);
	}
	loadRandomThroughHttp() {
		let { httpDownloadInitialTimeoutMs: e } = this.config;
		if (e > 0 && performance.now() - this.createdAt < e) return;
		let t = this.getAvailableStorageCapacityPercent();
		if (t <= 10) return;
		let { simultaneousHttpDownloads: n, httpErrorRetries: r } = this.config, i = this.p2pLoaders.currentLoader;
		if (this.requests.executingHttpCount >= n || !i.connectedPeerCount) return;
		let a = [];
		for (let { segment: e, statuses: n } of Wn(this.lastRequestedSegment, this.playback, this.config, this.p2pLoaders.currentLoader, t)) {
			let t = this.config.swarmId ?? this.streamManifestUrl, i = $(t, e.stream);
			if (!n.isHttpDownloadable || n.isP2PDownloadable || this.segmentStorage.hasSegment(t, i, e.externalId)) continue;
			let o = this.requests.get(e);
			o && (o.status === "loading" || o.status === "succeed" || o.failedAttempts.httpAttemptsCount >= r) || a.push(e);
		}
		if (!a.length || n - this.requests.executingHttpCount === 0) return;
		let o = i.connectedPeerCount + 1, s = Math.min(a.length, n * o), c = Et(Array.from({ length: s }, (e, t) => t)), l = s / o;
		for (let e of c) {
			if (this.requests.executingHttpCount >= n) break;
			if (l >= 1 || Math.random() <= l) {
				let t = a[e];
				this.loadThroughHttp(t);
			}
			if (l--, l <= 0) break;
		}
	}
	abortLastHttpLoadingInQueueAfterItem(e, t) {
		for (let { segment: n } of St(e)) {
			if (n === t) break;
			let e = this.requests.get(n);
			if (e?.downloadSource === "http" && e.status === "loading") return e.abortFromProcessQueue(), !0;
		}
		return !1;
	}
	abortLastP2PLoadingInQueueAfterItem(e, t) {
		for (let { segment: n } of St(e)) {
			if (n === t) break;
			let e = this.requests.get(n);
			if (e?.downloadSource === "p2p" && e.status === "loading") return e.abortFromProcessQueue(), !0;
		}
		return !1;
	}
	getAvailableStorageCapacityPercent() {
		let { totalCapacity: e, usedCapacity: t } = this.segmentStorage.getUsage();
		return 100 - t / e * 100;
	}
	generateQueue() {
		let e = [], t = /* @__PURE__ */ new Set(), n = 0, r = 0, i = this.getAvailableStorageCapacityPercent();
		for (let a of Wn(this.lastRequestedSegment, this.playback, this.config, this.p2pLoaders.currentLoader, i)) {
			n++;
			let { segment: i } = a, o = this.config.swarmId ?? this.streamManifestUrl, s = $(o, i.stream);
			if (this.segmentStorage.hasSegment(o, s, i.externalId) || this.requests.get(i)?.status === "succeed") {
				r++;
				continue;
			}
			e.push(a), t.add(i.runtimeId);
		}
		return {
			queue: e,
			queueSegmentIds: t,
			maxPossibleLength: n,
			alreadyLoadedCount: r,
			queueDownloadRatio: n === 0 ? 0 : r / n
		};
	}
	getBandwidth(e) {
		let { http: t, all: n } = this.bandwidthCalculators, { activeLevelBitrate: r } = this.streamDetails;
		if (r === 0) return n.getBandwidthLoadingOnly(3);
		let i = Math.max(n.getBandwidth(30, this.levelChangedTimestamp), n.getBandwidth(60, this.levelChangedTimestamp), n.getBandwidth(90, this.levelChangedTimestamp));
		if (e >= .8 || i >= r * .9) return Math.max(n.getBandwidthLoadingOnly(1), n.getBandwidthLoadingOnly(3), n.getBandwidthLoadingOnly(5));
		let a = Math.max(t.getBandwidthLoadingOnly(1), t.getBandwidthLoadingOnly(3), t.getBandwidthLoadingOnly(5));
		return Math.max(i, a);
	}
	notifyLevelChanged() {
		this.levelChangedTimestamp = performance.now();
	}
	sendBroadcastAnnouncement(e = !1) {
		this.p2pLoaders.currentLoader.broadcastAnnouncement(e);
	}
	updatePlayback(e, t) {
		let n = this.playback.rate !== t, r = this.playback.position !== e;
		if (!n && !r) return;
		let i = Math.abs(e - this.playback.position) / this.segmentAvgDuration > .5;
		r && (this.playback.position = e), n && t !== 0 && (this.playback.rate = t), i && (this.logger("position significantly changed"), this.engineRequest?.markAsShouldBeStartedImmediately()), this.segmentStorage.onPlaybackUpdated(e, t), this.requestProcessQueueMicrotask(i);
	}
	updateStream(e) {
		e === this.lastRequestedSegment.stream && (this.logger(`update stream: ${J(e)}`), this.requestProcessQueueMicrotask());
	}
	destroy() {
		clearTimeout(this.randomHttpDownloadTimeout), clearTimeout(this.initialHttpDelayTimeoutId), this.engineRequest?.abort(), this.requests.destroy(), this.p2pLoaders.destroy();
	}
}, Yn = (e, t) => `${e}|${t}`, Xn = (e) => /Android/i.test(e), Zn = (e) => /iPad|iPhone/i.test(e), Qn = (e) => /Android/i.test(e) && !/Chrome|Firefox/i.test(e), $n = 1048576, er = class {
	userAgent = navigator.userAgent;
	segmentMemoryStorageLimit = 4 * 1024;
	currentStorageUsage = 0;
	cache = /* @__PURE__ */ new Map();
	logger;
	coreConfig;
	mainStreamConfig;
	secondaryStreamConfig;
	currentPlayback;
	lastRequestedSegment;
	segmentChangeCallback;
	constructor() {
		this.logger = (0, j.default)("p2pml-core:segment-memory-storage"), this.logger.color = "RebeccaPurple";
	}
	async initialize(e, t, n) {
		this.coreConfig = e, this.mainStreamConfig = t, this.secondaryStreamConfig = n, this.setMemoryStorageLimit(), this.logger("initialized");
	}
	onPlaybackUpdated(e, t) {
		this.currentPlayback = {
			position: e,
			rate: t
		};
	}
	onSegmentRequested(e, t, n, r, i, a, o) {
		this.lastRequestedSegment = {
			streamId: t,
			segmentId: n,
			startTime: r,
			endTime: i,
			swarmId: e,
			streamType: a,
			isLiveStream: o
		};
	}
	async storeSegment(e, t, n, r, i, a, o, s) {
		this.clear(s, r.byteLength);
		let c = Yn(t, n);
		if (this.cache.set(c, {
			data: r,
			segmentId: n,
			streamId: t,
			startTime: i,
			endTime: a,
			streamType: o
		}), this.increaseStorageUsage(r.byteLength), this.logger(`add segment: ${n} to ${t}`), !this.segmentChangeCallback) throw Error("dispatchStorageUpdatedEvent is not set");
		this.segmentChangeCallback(t);
	}
	async getSegmentData(e, t, n) {
		let r = Yn(t, n), i = this.cache.get(r);
		if (i !== void 0) return i.data;
	}
	getUsage() {
		if (!this.lastRequestedSegment || !this.currentPlayback) return {
			totalCapacity: this.segmentMemoryStorageLimit,
			usedCapacity: this.currentStorageUsage
		};
		let e = this.currentPlayback.position, t = 0;
		for (let { endTime: n, data: r } of this.cache.values()) e > n || (t += r.byteLength);
		return {
			totalCapacity: this.segmentMemoryStorageLimit,
			usedCapacity: t / $n
		};
	}
	hasSegment(e, t, n) {
		let r = Yn(t, n);
		return this.cache.get(r) !== void 0;
	}
	getStoredSegmentIds(e, t) {
		let n = [];
		for (let { segmentId: e, streamId: r } of this.cache.values()) r === t && n.push(e);
		return n;
	}
	clear(e, t) {
		if (!this.currentPlayback || !this.mainStreamConfig || !this.secondaryStreamConfig || !this.coreConfig || !this.isMemoryLimitReached(t) && !e) return;
		let n = /* @__PURE__ */ new Set(), r = Array.from(this.cache.values()).sort((e, t) => e.startTime - t.startTime);
		for (let i of r) {
			let { streamId: r, segmentId: a, data: o } = i, s = Yn(r, a);
			if (this.shouldRemoveSegment(i, e, this.currentPlayback.position) && (this.cache.delete(s), n.add(r), this.decreaseStorageUsage(o.byteLength), this.logger(`Removed segment ${a} from stream ${r}`), !this.isMemoryLimitReached(t) && !e)) break;
		}
		this.sendUpdatesToAffectedStreams(n);
	}
	isMemoryLimitReached(e) {
		return this.currentStorageUsage + e / $n > this.segmentMemoryStorageLimit;
	}
	setSegmentChangeCallback(e) {
		this.segmentChangeCallback = e;
	}
	sendUpdatesToAffectedStreams(e) {
		e.size !== 0 && e.forEach((e) => {
			if (!this.segmentChangeCallback) throw Error("dispatchStorageUpdatedEvent is not set");
			this.segmentChangeCallback(e);
		});
	}
	shouldRemoveSegment(e, t, n) {
		let { endTime: r, streamType: i } = e, a = this.getStreamTimeWindow(i, "highDemandTimeWindow");
		return n <= r ? !1 : t ? n > a + r : !0;
	}
	increaseStorageUsage(e) {
		this.currentStorageUsage += e / $n;
	}
	decreaseStorageUsage(e) {
		this.currentStorageUsage -= e / $n;
	}
	setMemoryStorageLimit() {
		if (this.coreConfig?.segmentMemoryStorageLimit) {
			this.segmentMemoryStorageLimit = this.coreConfig.segmentMemoryStorageLimit;
			return;
		}
		Qn(this.userAgent) || Zn(this.userAgent) ? this.segmentMemoryStorageLimit = 1024 : Xn(this.userAgent) && (this.segmentMemoryStorageLimit = 2 * 1024);
	}
	getStreamTimeWindow(e, t) {
		return (e === "main" ? this.mainStreamConfig : this.secondaryStreamConfig)?.[t] ?? 0;
	}
	destroy() {
		this.cache.clear();
	}
}, tr = class {
	events = /* @__PURE__ */ new Map();
	dispatchEvent(e, ...t) {
		let n = this.events.get(e);
		if (n) for (let e of n) e(...t);
	}
	getEventDispatcher(e) {
		let t = this.events.get(e);
		t || (t = [], this.events.set(e, t));
		let n = t;
		return (...e) => {
			for (let t of n) t(...e);
		};
	}
	addEventListener(e, t) {
		let n = this.events.get(e);
		n ? n.push(t) : this.events.set(e, [t]);
	}
	removeEventListener(e, t) {
		let n = this.events.get(e);
		if (n) {
			let e = n.indexOf(t);
			e !== -1 && n.splice(e, 1);
		}
	}
}, nr = class e {
	static DEFAULT_COMMON_CORE_CONFIG = {
		segmentMemoryStorageLimit: void 0,
		customSegmentStorageFactory: void 0
	};
	static DEFAULT_STREAM_CONFIG = {
		isP2PUploadDisabled: !1,
		isP2PDisabled: !1,
		simultaneousHttpDownloads: 2,
		simultaneousP2PDownloads: 3,
		highDemandTimeWindow: 15,
		httpDownloadInitialTimeoutMs: 0,
		httpDownloadTimeWindow: 3e3,
		p2pDownloadTimeWindow: 6e3,
		webRtcMaxMessageSize: 64 * 1024 - 1,
		p2pNotReceivingBytesTimeoutMs: 2e3,
		p2pInactiveLoaderDestroyTimeoutMs: 30 * 1e3,
		httpNotReceivingBytesTimeoutMs: 3e3,
		httpErrorRetries: 3,
		p2pErrorRetries: 3,
		trackerClientVersionPrefix: At,
		announceTrackers: ["wss://tracker.novage.com.ua", "wss://tracker.openwebtorrent.com"],
		rtcConfig: { iceServers: [{ urls: "stun:stun.l.google.com:19302" }, { urls: "stun:global.stun.twilio.com:3478" }] },
		validateP2PSegment: void 0,
		validateHTTPSegment: void 0,
		httpRequestSetup: void 0,
		swarmId: void 0
	};
	eventTarget = new tr();
	manifestResponseUrl;
	streams = /* @__PURE__ */ new Map();
	mainStreamConfig;
	secondaryStreamConfig;
	commonCoreConfig;
	bandwidthCalculators = {
		all: new Cn(),
		http: new Cn()
	};
	segmentStorage;
	mainStreamLoader;
	secondaryStreamLoader;
	streamDetails = {
		isLive: !1,
		activeLevelBitrate: 0
	};
	constructor(t) {
		let n = Tt(t ?? {});
		this.commonCoreConfig = Ot({
			defaultConfig: e.DEFAULT_COMMON_CORE_CONFIG,
			baseConfig: n
		}), this.mainStreamConfig = Ot({
			defaultConfig: e.DEFAULT_STREAM_CONFIG,
			baseConfig: n,
			specificStreamConfig: n.mainStream
		}), this.secondaryStreamConfig = Ot({
			defaultConfig: e.DEFAULT_STREAM_CONFIG,
			baseConfig: n,
			specificStreamConfig: n.secondaryStream
		});
	}
	getConfig() {
		return {
			...q(this.commonCoreConfig),
			mainStream: q(this.mainStreamConfig),
			secondaryStream: q(this.secondaryStreamConfig)
		};
	}
	applyDynamicConfig(e) {
		let { mainStream: t, secondaryStream: n } = e, r = q(this.mainStreamConfig), i = q(this.secondaryStreamConfig);
		this.overrideAllConfigs(e, t, n), this.processSpecificDynamicConfigParams(r, e, "main"), this.processSpecificDynamicConfigParams(i, e, "secondary");
	}
	processSpecificDynamicConfigParams(e, t, n) {
		let r = this.getUpdatedStreamProperty("isP2PDisabled", t, n);
		r && e.isP2PDisabled !== r && this.destroyStreamLoader(n);
		let i = this.getUpdatedStreamProperty("isP2PUploadDisabled", t, n);
		i !== void 0 && e.isP2PUploadDisabled !== i && (n === "main" ? this.mainStreamLoader : this.secondaryStreamLoader)?.sendBroadcastAnnouncement(i);
	}
	getUpdatedStreamProperty(e, t, n) {
		return (n === "main" ? t.mainStream : t.secondaryStream)?.[e] ?? t[e];
	}
	addEventListener(e, t) {
		this.eventTarget.addEventListener(e, t);
	}
	removeEventListener(e, t) {
		this.eventTarget.removeEventListener(e, t);
	}
	setManifestResponseUrl(e) {
		this.manifestResponseUrl = e.split("?")[0];
	}
	hasSegment(e) {
		return !!kn(this.streams, e);
	}
	getStream(e) {
		return this.streams.get(e);
	}
	addStreamIfNoneExists(e) {
		this.streams.has(e.runtimeId) || this.streams.set(e.runtimeId, {
			...e,
			segments: /* @__PURE__ */ new Map()
		});
	}
	updateStream(e, t, n) {
		let r = this.streams.get(e);
		if (r) {
			if (t) for (let e of t) r.segments.has(e.runtimeId) || r.segments.set(e.runtimeId, {
				...e,
				stream: r
			});
			if (n) for (let e of n) r.segments.delete(e);
			this.mainStreamLoader?.updateStream(r), this.secondaryStreamLoader?.updateStream(r);
		}
	}
	async loadSegment(e, t) {
		if (!this.manifestResponseUrl) throw Error("Manifest response url is not defined");
		await this.initializeSegmentStorage();
		let n = this.identifySegment(e);
		this.getStreamHybridLoader(n).loadSegment(n, t);
	}
	abortSegmentLoading(e) {
		this.mainStreamLoader?.abortSegmentRequest(e), this.secondaryStreamLoader?.abortSegmentRequest(e);
	}
	updatePlayback(e, t) {
		this.mainStreamLoader?.updatePlayback(e, t), this.secondaryStreamLoader?.updatePlayback(e, t);
	}
	setActiveLevelBitrate(e) {
		e !== this.streamDetails.activeLevelBitrate && (this.streamDetails.activeLevelBitrate = e, this.mainStreamLoader?.notifyLevelChanged(), this.secondaryStreamLoader?.notifyLevelChanged());
	}
	setIsLive(e) {
		this.streamDetails.isLive = e;
	}
	isSegmentLoadable(e) {
		try {
			let t = this.identifySegment(e);
			return !(t.stream.type === "main" && this.mainStreamConfig.isP2PDisabled || t.stream.type === "secondary" && this.secondaryStreamConfig.isP2PDisabled);
		} catch {
			return !1;
		}
	}
	destroy() {
		this.streams.clear(), this.mainStreamLoader?.destroy(), this.secondaryStreamLoader?.destroy(), this.segmentStorage?.destroy(), this.mainStreamLoader = void 0, this.secondaryStreamLoader = void 0, this.segmentStorage = void 0, this.manifestResponseUrl = void 0, this.streamDetails = {
			isLive: !1,
			activeLevelBitrate: 0
		}, En.clearPeerIdCache();
	}
	async initializeSegmentStorage() {
		if (this.segmentStorage) return;
		let { isLive: e } = this.streamDetails, t = this.commonCoreConfig.customSegmentStorageFactory;
		if (t && typeof t != "function") throw Error("Storage configuration is invalid");
		let n = t ? t(e) : new er();
		await n.initialize(this.commonCoreConfig, this.mainStreamConfig, this.secondaryStreamConfig), this.segmentStorage = n;
	}
	identifySegment(e) {
		if (!this.manifestResponseUrl) throw Error("Manifest response url is undefined");
		let t = kn(this.streams, e);
		if (!t) throw Error(`Not found segment with id: ${e}`);
		return t;
	}
	overrideAllConfigs(e, t, n) {
		Dt(this.commonCoreConfig, e), Dt(this.mainStreamConfig, e), Dt(this.secondaryStreamConfig, e), t && Dt(this.mainStreamConfig, t), n && Dt(this.secondaryStreamConfig, n);
	}
	destroyStreamLoader(e) {
		e === "main" ? (this.mainStreamLoader?.destroy(), this.mainStreamLoader = void 0) : (this.secondaryStreamLoader?.destroy(), this.secondaryStreamLoader = void 0);
	}
	getStreamHybridLoader(e) {
		return e.stream.type === "main" ? (this.mainStreamLoader ??= this.createNewHybridLoader(e), this.mainStreamLoader) : (this.secondaryStreamLoader ??= this.createNewHybridLoader(e), this.secondaryStreamLoader);
	}
	createNewHybridLoader(e) {
		if (!this.manifestResponseUrl) throw Error("Manifest response url is not defined");
		if (!this.segmentStorage) throw Error("Segment storage is not initialized");
		let t = e.stream.type === "main" ? this.mainStreamConfig : this.secondaryStreamConfig;
		return new Jn(this.manifestResponseUrl, e, this.streamDetails, t, this.bandwidthCalculators, this.segmentStorage, this.eventTarget);
	}
}, rr = j.debug;
export { nr as Core, f as CoreRequestError, d as RequestError, rr as debug, On as generateStreamShortId };

