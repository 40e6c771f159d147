// The panel's one stylesheet, inlined in every page. Its hash goes into the Content-Security-Policy,
// so no other inline style (injected or not) is applied.
import { createHash } from "node:crypto";

export const STYLESHEET = `
:root{color-scheme:light;--ink:#1a1d21;--muted:#5a6270;--line:#d8dce2;--bg:#f5f6f8;--card:#fff;
--accent:#0b5cad;--accent-ink:#fff;--danger:#a4161a;--ok:#1b6e3a;--user:#d9f1d2;--bot:#fff}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-size:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.5;
color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
header.top{background:#102a43;color:#fff}
header.top .bar{max-width:72rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;
align-items:center}
header.top a{color:#fff}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none;letter-spacing:.02em}
nav.main{display:flex;gap:1rem;flex-wrap:wrap}
nav.main a{text-decoration:none;padding:.2rem 0;border-bottom:2px solid transparent}
nav.main a[aria-current=page]{border-bottom-color:#fff}
.who{margin-left:auto;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap;font-size:.9rem}
.who form{margin:0}
.langs{display:flex;gap:.4rem;font-size:.9rem}
.langs a[aria-current=true]{font-weight:700;text-decoration:none}
main{max-width:72rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem}
.narrow{max-width:26rem;margin:2rem auto}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=email],input[type=password],input[type=search]{width:100%;font:inherit;
padding:.55rem .65rem;border:1px solid #8a93a0;border-radius:.375rem;background:#fff;color:var(--ink)}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:.375rem;border:1px solid var(--accent);
background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent)}
header.top button.link{background:none;border:1px solid #fff;color:#fff;padding:.15rem .6rem;font-weight:500}
.actions{margin-top:1rem}
.error{border-left:4px solid var(--danger);background:#fdecea;padding:.6rem .8rem;margin:0 0 1rem;color:#5c0b0d}
.notice{border-left:4px solid var(--accent);background:#e8f0fb;padding:.6rem .8rem;margin:0 0 1rem}
.muted{color:var(--muted)}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin:0 0 .4rem}
.choice{display:flex;flex-wrap:wrap;gap:0 .5rem;align-items:baseline;margin:.35rem 0}
.choice label{display:inline;margin:0}.choice small{flex-basis:100%;padding-left:1.6rem;overflow-wrap:anywhere}
input[type=file]{font:inherit;max-width:100%}
.counts-line{display:block}
.warn{color:var(--danger);font-weight:600}
.plain{list-style:none;margin:0;padding:0}
nav.filters{display:flex;gap:1rem;flex-wrap:wrap;margin:0 0 .5rem}nav.filters a[aria-current=page]{font-weight:700;text-decoration:none}
form.search{display:flex;gap:.5rem;margin:0 0 1rem;flex-wrap:wrap}
select{font:inherit;padding:.5rem .5rem;border:1px solid #8a93a0;border-radius:.375rem;background:#fff;color:var(--ink);max-width:100%}
form.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end;margin:0 0 1rem}form.filters label{margin:0 0 .25rem}
ul.reasons{margin:0;padding-left:1.1rem}
form.search input{flex:1 1 14rem;width:auto}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line)}
th,td{padding:.5rem .65rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em;color:#333b47}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f8fafc}
.pager{display:flex;gap:1rem;align-items:center;justify-content:space-between;margin-top:1rem;flex-wrap:wrap}
.empty{padding:2rem 1rem;text-align:center;color:var(--muted);background:var(--card);border:1px dashed var(--line);
border-radius:.5rem}
@media (max-width:40rem){
 table,thead,tbody,tr,td{display:block;border:0}
 thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
 tbody tr{background:var(--card);border:1px solid var(--line);border-radius:.5rem;margin:0 0 .75rem;padding:.4rem 0}
 td{display:flex;justify-content:space-between;gap:1rem;padding:.3rem .8rem;border:0;text-align:right}
 td::before{content:attr(data-label);font-weight:600;color:var(--muted);text-align:left}
 td.num{text-align:right;white-space:normal}
 td{overflow-wrap:anywhere}
}
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
.msg .meta{display:block;text-align:right;font-size:.72rem;color:var(--muted);margin-top:.15rem}
.msg pre{white-space:pre-wrap;background:#f1f3f5;padding:.4rem;border-radius:.3rem;margin:.2rem 0}
.msg blockquote{margin:.2rem 0;padding-left:.6rem;border-left:3px solid #8aa}
.msg .spoiler{background:#333;color:#333}.msg .spoiler:hover{color:#fff}
.keyboard{display:grid;gap:.3rem;margin-top:.4rem;white-space:normal}
.keyboard .row{display:flex;gap:.3rem}
.keyboard form{flex:1;margin:0}
.keyboard button,.keyboard a.button{width:100%;background:#f4f7fa;color:#24415e;border:1px solid #b9c6d3;
font-weight:500;padding:.35rem .5rem;font-size:.92rem;text-align:center}
.replykb{padding:.4rem .75rem;background:#dde3dc;display:grid;gap:.3rem}
.replykb .row{display:flex;gap:.3rem}.replykb form{flex:1;margin:0}
.replykb button{width:100%;background:#fff;color:var(--ink);border-color:#b9c6d3;font-weight:500}
form.compose{display:flex;gap:.5rem;padding:.6rem;background:#fff;border-top:1px solid var(--line);margin:0}
form.compose input{flex:1}
.chatlist td form{margin:0}
ul.documents li{margin-bottom:.4rem}
ol.timeline{list-style:none;padding:0}ol.timeline li{padding:.3rem 0;border-bottom:1px solid var(--line)}
ol.timeline time{display:inline-block;min-width:6.5rem;font-variant-numeric:tabular-nums;color:#3d4f61}
figure.chart{margin:0 0 .5rem}figure.chart svg{max-width:40rem;height:auto;display:block}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
select,textarea,input[type=date],input[type=time],input[type=number]{font:inherit;padding:.45rem .6rem;border:1px solid #8a93a0;border-radius:.375rem;
background:#fff;color:var(--ink);max-width:100%}
textarea{width:100%}
select:focus-visible,textarea:focus-visible,input[type=time]:focus-visible,input[type=number]:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.badge{display:inline-block;min-width:1.5rem;padding:0 .4rem;border-radius:1rem;background:#f0b400;color:#1a1d21;
font-weight:700;font-size:.85rem;text-align:center;margin-left:.3rem}
.msg.note{align-self:stretch;max-width:100%;background:#fff8db;border:1px dashed #8a6d00}
.late{color:var(--danger);font-weight:600}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:flex-end;margin:0 0 1rem}
form.filters label{margin:0}
form.filters .check{display:flex;gap:.35rem;align-items:center}form.filters .check label{font-weight:500}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.5rem 0}
form.inline label{margin:0;flex-basis:100%}
.tools{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));margin:1rem 0}
`;

export const STYLESHEET_CSP_SOURCE = `'sha256-${createHash("sha256").update(STYLESHEET).digest("base64")}'`;
