// The panel's own stylesheet, inlined in every page after Bootstrap Italia's (served from /assets, see
// admin/bootstrap-italia.ts). Its hash goes into the Content-Security-Policy, so no other inline style
// (injected or not) is applied. It declares the fonts Bootstrap Italia names, gives the panel's plain
// markup (bare tables, buttons, fields, .notice/.error, …) the look of Bootstrap Italia's components
// (.table, .btn-primary/.btn-outline-primary, .form-control, .alert) so pages need no extra classes,
// and styles the panel's own pieces: the demo's chat, the household chart and timeline, the inbox badge.
import { createHash } from "node:crypto";
import { BOOTSTRAP_ITALIA_BASE, FONT_FACES } from "../bootstrap-italia.ts";

const FONTS = FONT_FACES.map(
  ([family, file, weight, style]) =>
    `@font-face{font-family:"${family}";font-style:${style};font-weight:${weight};font-display:swap;` +
    `src:url("${BOOTSTRAP_ITALIA_BASE}/fonts/${file}") format("woff2")}`,
).join("\n");

export const STYLESHEET = `
${FONTS}
:root{color-scheme:light;--ink:hsl(0,0%,10%);--muted:hsl(210,17%,38%);--line:hsl(210,4%,78%);--bg:hsl(210,40%,98%);
--card:#fff;--accent:#06c;--accent-dark:#004d99;--accent-ink:#fff;--danger:#b3001e;--ok:#00734d;--warning:#8a5300;
--user:#d9f1d2;--bot:#fff}
[hidden]{display:none!important}
body{background:var(--bg);color:var(--ink);min-height:100vh;display:flex;flex-direction:column}
body>*{flex-shrink:0}
a{color:var(--accent)}
:focus-visible{outline:3px solid #f90;outline-offset:2px}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.skiplinks a{position:absolute;left:-999px}.skiplinks a:focus{position:static;left:auto}

/* Header: Bootstrap Italia's slim header (authority, language, person), centre header (the app),
   navigation bar. Heights follow the content so nothing is cut on a phone; no JavaScript. */
/* The header's colours are repeated here so a page whose Bootstrap Italia stylesheet did not load
   (an axe copy of the page, a broken cache) still shows white on blue, never white on white. */
.it-header-wrapper .it-header-slim-wrapper{height:auto;padding:.35rem 0;font-size:.9rem;background:#0059b3}
.it-header-wrapper .it-nav-wrapper .it-header-center-wrapper,
.it-header-wrapper .it-nav-wrapper .it-header-navbar-wrapper{background:#06c}
.it-header-wrapper .it-header-slim-wrapper .it-header-slim-wrapper-content{display:flex;flex-wrap:wrap;
gap:.25rem 1.25rem;align-items:center;justify-content:space-between;height:auto;padding:0}
.it-header-slim-wrapper .authority{color:#fff;font-weight:600}
.it-header-slim-wrapper a{color:#fff}
.who{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;color:#fff}
.who form{margin:0}
.langs{display:flex;gap:.6rem}
.langs a[aria-current=true]{font-weight:700;text-decoration:none}
.who button.link{background:transparent;border:1px solid #fff;color:#fff;border-radius:4px;padding:.1rem .75rem;
font-weight:600;font-size:.9rem}
.who button.link:hover{background:#fff;color:var(--accent)}
.it-header-wrapper .it-nav-wrapper .it-header-center-wrapper{height:auto;padding:1rem 0}
.it-header-center-wrapper .it-header-center-content-wrapper{height:auto;padding:0}
.it-header-wrapper .it-nav-wrapper .it-brand-wrapper{padding:0;margin:0}
.it-header-center-wrapper .it-header-center-content-wrapper .it-brand-wrapper a.brand{flex-direction:column;
align-items:flex-start;color:#fff;text-decoration:none}
.it-brand-wrapper .it-brand-title{font-size:1.75rem;font-weight:700;line-height:1.15}
.it-brand-wrapper .it-brand-tagline{font-size:.95rem;font-weight:400}
.it-header-wrapper .it-nav-wrapper .it-header-navbar-wrapper{position:static;margin:0;padding:0;background:#06c}
.it-header-wrapper .it-header-navbar-wrapper nav.main.navbar{padding:0;display:block}
.it-header-navbar-wrapper nav.main .navbar-nav{display:flex;flex-direction:row;flex-wrap:wrap;gap:0 .25rem;margin:0 0 0 -.75rem;
padding:0;list-style:none}
.it-header-navbar-wrapper nav.main .navbar-nav .nav-link{display:block;color:#fff;font-weight:600;padding:.75rem .75rem;text-decoration:none;
border-bottom:3px solid transparent}
.it-header-navbar-wrapper nav.main .navbar-nav .nav-link:hover{color:#fff;text-decoration:underline}
.it-header-navbar-wrapper nav.main .navbar-nav .nav-link[aria-current=page]{color:#fff;border-bottom-color:#fff}
/* On a phone the navigation folds under a "Menu" button: a <details>, no script. From 62rem up it is
   a bar, the button hidden and the list shown even when the <details> is closed (::details-content);
   a browser without ::details-content keeps the button there too, still usable. */
nav.main details.menu>summary{display:inline-flex;align-items:center;gap:.5rem;color:#fff;font-weight:600;
padding:.6rem 0;cursor:pointer;list-style:none}
nav.main details.menu>summary::-webkit-details-marker{display:none}
nav.main details.menu>summary::before{content:"";width:.6rem;height:.6rem;border:solid #fff;border-width:0 2px 2px 0;
transform:rotate(45deg) translate(-2px,-2px)}
nav.main details.menu[open]>summary::before{transform:rotate(225deg) translate(-2px,-2px)}
nav.main details.menu>summary:hover{text-decoration:underline}
@supports selector(::details-content){
 @media (min-width:62rem){
  nav.main details.menu>summary{display:none}
  nav.main details.menu::details-content{display:block;content-visibility:visible}
 }
}
@media (max-width:61.99rem){
 .it-header-wrapper .it-nav-wrapper .it-header-center-wrapper{padding:.6rem 0}
 .it-brand-wrapper .it-brand-title{font-size:1.35rem}
 .it-header-navbar-wrapper nav.main .navbar-nav{flex-direction:column;flex-wrap:nowrap;gap:0;margin:0 0 .5rem;
 border-top:1px solid rgba(255,255,255,.4)}
 .it-header-navbar-wrapper nav.main .navbar-nav .nav-link{padding:.55rem 0;border-bottom:1px solid rgba(255,255,255,.25)}
 .it-header-navbar-wrapper nav.main .navbar-nav .nav-link[aria-current=page]{border-bottom:1px solid rgba(255,255,255,.25);
 text-decoration:underline;text-underline-offset:.3em;text-decoration-thickness:2px}
}
main.container{flex:1 0 auto;padding-top:1.5rem;padding-bottom:3rem}
.it-footer{margin-top:auto}
.it-footer-main{background:hsl(210,100%,20%);color:#fff;padding:1.25rem 0;font-size:.9rem}
.it-footer-main p{margin:0}

h1{font-size:1.75rem;font-weight:700;margin:.25rem 0 1rem}
h2{font-size:1.35rem;font-weight:700;margin:1.5rem 0 .75rem}
h3{font-size:1.15rem;font-weight:700}
/* .card is the panel's plain box, not Bootstrap Italia's card component (a flex column with a spacer). */
.card{display:block;flex-direction:row;background:var(--card);border:1px solid var(--line);border-radius:4px;
padding:1rem 1.25rem;width:auto}
.card:after{content:none}
.narrow{max-width:28rem;margin:2rem auto}
label{display:block;font-size:1rem;font-weight:600;margin:.75rem 0 .25rem}

/* Fields as Bootstrap Italia's .form-control / .form-select. */
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],input[type=date],input[type=time],
textarea,select{font:inherit;width:100%;max-width:100%;padding:.4rem .5rem;color:var(--ink);background-color:#fff;
border:1px solid hsl(210,17%,44%);border-radius:4px}
select{width:auto}
input[type=date],input[type=time],input[type=number]{width:auto}
textarea{width:100%}
input[type=file]{font:inherit;max-width:100%}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin:0 0 .4rem;font-size:1rem;float:none}

/* Buttons as .btn .btn-primary; .secondary as .btn-outline-primary. */
button,.button{font:inherit;font-weight:600;line-height:1.5;padding:.5rem 1.25rem;border-radius:4px;
border:2px solid var(--accent);background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none;
display:inline-block;text-align:center}
button:hover,.button:hover{background:var(--accent-dark);border-color:var(--accent-dark);color:#fff}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.secondary:hover,.button.secondary:hover{background:hsl(210,62%,95%);color:var(--accent-dark)}
.actions{margin-top:1rem}

/* Notices as .alert: .notice as .alert-info/.alert-success, .error as .alert-danger (roles unchanged). */
.error,.notice{border:1px solid hsl(210,17%,44%);border-left-width:8px;background:#fff;padding:.75rem 1rem;
margin:0 0 1rem;color:var(--ink)}
.error{border-left-color:var(--danger)}
.notice{border-left-color:var(--accent)}
.muted{color:var(--muted)}
.warn{color:var(--danger);font-weight:600}
.late{color:var(--danger);font-weight:600}
.choice{display:flex;flex-wrap:wrap;gap:0 .5rem;align-items:baseline;margin:.35rem 0}
.choice label{display:inline;margin:0}.choice small{flex-basis:100%;padding-left:1.6rem;overflow-wrap:anywhere}
.counts-line{display:block}
.plain{list-style:none;margin:0;padding:0}
nav.filters{display:flex;gap:.5rem 1rem;flex-wrap:wrap;margin:0 0 .75rem}
nav.filters a[aria-current=page]{font-weight:700;text-decoration:none;border-bottom:3px solid var(--accent)}
form.search{display:flex;gap:.5rem;margin:0 0 1rem;flex-wrap:wrap;align-items:flex-end}
form.search input{flex:1 1 14rem;width:auto}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:flex-end;margin:0 0 1rem}
form.filters label{margin:0 0 .25rem}
form.filters .check{display:flex;gap:.35rem;align-items:center}form.filters .check label{font-weight:500;margin:0}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.5rem 0}
form.inline label{margin:0;flex-basis:100%}
ul.reasons{margin:0;padding-left:1.1rem}
.tools{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));margin:1rem 0}

/* Tables as .table; on a phone each row becomes a card, its cells labelled by data-label. */
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);margin-bottom:1rem}
th,td{padding:.6rem .75rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:hsl(210,62%,97%);font-weight:600;border-bottom:2px solid var(--accent);color:var(--ink)}
td code{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}
main{overflow-wrap:break-word}
tbody tr:hover{background:hsl(210,40%,97%)}
.pager{display:flex;gap:1rem;align-items:center;justify-content:space-between;margin-top:1rem;flex-wrap:wrap}
.empty{padding:2rem 1rem;text-align:center;color:var(--muted);background:var(--card);border:1px dashed var(--line)}
@media (max-width:40rem){
 table,thead,tbody,tr,td{display:block;border:0}
 table{background:transparent}
 thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
 thead th{position:absolute;width:1px;height:1px;padding:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
 tbody tr{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);margin:0 0 .75rem;
 padding:.4rem 0}
 td{display:flow-root;padding:.3rem .8rem;border:0;text-align:right}
 td::before{content:attr(data-label);float:left;max-width:50%;margin-right:1rem;font-weight:600;color:var(--muted);
 text-align:left}
 td.num{text-align:right;white-space:normal}
 td{overflow-wrap:anywhere}
}

/* The demo's chat, drawn as a phone. */
.phone{max-width:30rem;margin:0 auto;background:#e6ebe4;border:1px solid var(--line);border-radius:1rem;
display:flex;flex-direction:column;height:min(75vh,44rem);overflow:hidden}
.phone .head{background:#24415e;color:#fff;padding:.6rem 1rem;font-weight:600}
.phone .head small{display:block;font-weight:400;opacity:.85}
.transcript{flex:1;min-height:0;overflow-y:auto;padding:.75rem;display:flex;flex-direction:column;gap:.5rem}
.msg{max-width:85%;padding:.45rem .7rem;border-radius:.75rem;box-shadow:0 1px 1px rgba(0,0,0,.12);
overflow-wrap:anywhere}
.msg .text{white-space:pre-wrap}
.msg.user{align-self:flex-end;background:var(--user);border-bottom-right-radius:.2rem}
.msg.bot{align-self:flex-start;background:var(--bot);border-bottom-left-radius:.2rem}
.msg .meta{display:block;text-align:right;font-size:.75rem;color:var(--muted);margin-top:.15rem}
.msg pre{white-space:pre-wrap;background:#f1f3f5;padding:.4rem;border-radius:.3rem;margin:.2rem 0}
.msg blockquote{margin:.2rem 0;padding-left:.6rem;border-left:3px solid #8aa}
.msg .spoiler{background:#333;color:#333}.msg .spoiler:hover{color:#fff}
.msg.note{align-self:stretch;max-width:100%;background:#fff8db;border:1px dashed #8a6d00}
.keyboard{display:grid;gap:.3rem;margin-top:.4rem;white-space:normal}
.keyboard .row,.replykb .row{display:flex;flex-wrap:nowrap;gap:.3rem;margin:0;--bs-gutter-x:0}
.keyboard .row>*,.replykb .row>*{flex:1;width:auto;padding:0;margin:0}
.keyboard form{flex:1;margin:0}
.keyboard button,.keyboard a.button{width:100%;background:#f4f7fa;color:#24415e;border:1px solid #b9c6d3;
font-weight:500;padding:.35rem .5rem;font-size:.92rem;text-align:center}
.replykb{padding:.4rem .75rem;background:#dde3dc;display:grid;gap:.3rem}
.replykb form{flex:1;margin:0}
.replykb button{width:100%;background:#fff;color:var(--ink);border:1px solid #b9c6d3;font-weight:500}
form.compose{display:flex;gap:.5rem;padding:.6rem;background:#fff;border-top:1px solid var(--line);margin:0}
form.compose input{flex:1}
.chatlist td form{margin:0}

/* The content area: texts as written, each language's state, the Telegram preview. */
.source{display:block;white-space:pre-wrap;overflow-wrap:anywhere}
ul.langstatus{display:flex;flex-wrap:wrap;gap:.2rem .8rem;margin:0}ul.langstatus .missing a{color:var(--danger)}
.tg-preview{background:#e6ebe4;padding:.75rem;border-radius:.5rem;display:flex;flex-direction:column;max-width:30rem}

/* Household page: documents, timeline, arrears chart and facts. */
ul.documents li{margin-bottom:.4rem}
ol.timeline{list-style:none;padding:0}ol.timeline li{padding:.4rem 0;border-bottom:1px solid var(--line)}
ol.timeline time{display:inline-block;min-width:6.5rem;font-variant-numeric:tabular-nums;color:#3d4f61}
figure.chart{margin:0 0 .5rem}figure.chart svg{max-width:40rem;height:auto;display:block}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem;overflow-wrap:anywhere}}

/* The inbox's waiting counter in the navigation (not Bootstrap Italia's .badge). */
.badge{display:inline-block;min-width:1.5rem;padding:0 .4rem;border-radius:1rem;background:#ffd24d;color:#1a1d21;
font-weight:700;font-size:.85rem;line-height:1.5;text-align:center;margin-left:.3rem;vertical-align:baseline}
/* Printing a page (the results): the figures, not the menu, forms or links to other pages. */
@media print{header.it-header-wrapper,footer.it-footer,.skiplinks,.no-print{display:none!important}}
`;

export const STYLESHEET_CSP_SOURCE = `'sha256-${createHash("sha256").update(STYLESHEET).digest("base64")}'`;
