// The live dashboard served at / by the api_listen listener: nodes, links, groups and the event
// timeline, kept current by the server-sent event stream, with standby/takeover buttons. The page
// and its script hold no cluster data (they load without the token); the token typed into the page
// is exchanged once for an HttpOnly session cookie, which the stream and the buttons then use
// (EventSource cannot send an Authorization header). Data is only ever set as text, never as HTML.

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>heartbeat-ts</title>
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 1.2em; color: #222; background: #fafafa; }
 h1 { font-size: 1.3em; margin: 0 0 .3em; } h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
 table { border-collapse: collapse; background: #fff; min-width: 40em; }
 th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
 th { background: #eee; }
 .up, .active, .running { color: #0a6b0a; font-weight: 600; } .dead, .conflict, .failed { color: #b00; font-weight: 600; }
 .init, .stopped { color: #777; }
 #conn { padding: .1em .5em; border-radius: .3em; background: #ddd; } #conn.live { background: #c8f0c8; } #conn.down { background: #f4c4c4; }
 #events { max-height: 22em; overflow-y: auto; background: #fff; border: 1px solid #ccc; padding: .3em .6em; font-family: monospace; font-size: 12px; }
 #events div.warn { color: #a60; } #events div.crit { color: #b00; font-weight: 600; }
 button { margin-right: .5em; } #login { background: #fff; border: 1px solid #ccc; padding: 1em; max-width: 30em; }
 #msg { margin-left: 1em; color: #555; }
</style>
</head>
<body>
<h1>heartbeat-ts <span id="self"></span> <span id="conn">connecting</span></h1>
<form id="login" hidden>
 <p>This dashboard needs the API token (the file named by <code>api_token_file</code>).</p>
 <input id="token" type="password" autocomplete="off" size="40" placeholder="token">
 <button type="submit">Sign in</button> <span id="loginmsg"></span>
</form>
<div id="main" hidden>
 <div><span id="summary"></span></div>
 <h2>Nodes</h2>
 <table id="nodes"><thead><tr><th>Node</th><th>Status</th><th>Last heartbeat</th><th>Links</th><th>Holds</th></tr></thead><tbody></tbody></table>
 <h2>Groups</h2>
 <table id="groups"><thead><tr><th>Group</th><th>Home</th><th>Owner</th><th>State</th><th>Since</th><th>Last transition</th></tr></thead><tbody></tbody></table>
 <p><button id="standby" type="button">Standby (give all groups away)</button><button id="takeover" type="button">Takeover (take all groups)</button><span id="msg"></span></p>
 <h2>Links</h2>
 <table id="links"><thead><tr><th>Medium</th><th>How</th><th>Peers</th><th>Send errors</th></tr></thead><tbody></tbody></table>
 <h2>Events</h2>
 <div id="events"></div>
</div>
<script src="/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const cell = (tr, text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; };
  const age = (ms) => ms === null ? 'never' : ms < 1000 ? ms + ' ms ago' : (ms / 1000).toFixed(1) + ' s ago';
  const fill = (id, rows) => { const tb = $(id).querySelector('tbody'); tb.replaceChildren(...rows); };
  let lastSeq = 0;

  function render(s) {
    $('self').textContent = 'on ' + s.cluster.node;
    $('summary').textContent = 'phase ' + s.cluster.phase + ', holds ' + s.cluster.resourceHold + ', auto_failback ' + s.cluster.autoFailback +
      (s.cluster.configMismatch ? ' - WARNING: a peer runs a different configuration' : '') +
      (s.cluster.selfFenced ? ' - SELF-FENCED: ' + s.cluster.selfFenced : '');
    fill('nodes', s.nodes.map((n) => {
      const tr = document.createElement('tr'); tr.dataset.node = n.name;
      cell(tr, n.name + (n.self ? ' (this node)' : ''));
      cell(tr, n.status, 'status ' + n.status);
      cell(tr, age(n.lastHeartbeatAgeMs));
      cell(tr, n.self ? '-' : n.links.map((l) => l.medium + ' ' + l.status).join(', ') || '-');
      cell(tr, n.holds.join(' ') || '-', 'holds');
      return tr;
    }));
    fill('groups', s.groups.map((g) => {
      const tr = document.createElement('tr'); tr.dataset.group = g.id;
      cell(tr, g.id); cell(tr, g.home);
      cell(tr, g.owners.join(',') || '-', 'owner');
      cell(tr, g.state + (g.stateHere !== 'running' && g.stateHere !== 'stopped' ? ' (here: ' + g.stateHere + ')' : '') +
        (g.failedOn.length ? ' - failed on ' + g.failedOn.join(',') : ''), 'state ' + g.state);
      cell(tr, g.since ? new Date(g.since).toLocaleTimeString() : '-');
      cell(tr, g.lastTransition ? (g.lastTransition.from ?? '(start)') + ' -> ' + g.lastTransition.to + ': ' + g.lastTransition.reason : '-');
      return tr;
    }));
    fill('links', s.links.map((m) => {
      const tr = document.createElement('tr');
      cell(tr, m.medium); cell(tr, m.how);
      cell(tr, m.peers.map((p) => p.node + ' ' + p.status + ' (' + age(p.lastHeardAgeMs) + ')').join(', ') || '-');
      cell(tr, String(m.sendErrors));
      return tr;
    }));
    for (const e of s.events) addEvent(e);
  }

  function addEvent(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    const div = document.createElement('div');
    div.className = e.level;
    div.textContent = e.time.slice(11, 23) + ' ' + e.kind + (e.node ? ' node=' + e.node : '') + (e.medium ? ' medium=' + e.medium : '') +
      (e.group ? ' group=' + e.group : '') + ' ' + e.text;
    const box = $('events');
    box.prepend(div);
    while (box.childElementCount > 200) box.lastElementChild.remove();
  }

  function live() {
    $('login').hidden = true; $('main').hidden = false;
    const es = new EventSource('/api/v1/stream');
    es.addEventListener('snapshot', (m) => { $('conn').textContent = 'live'; $('conn').className = 'live'; render(JSON.parse(m.data)); });
    es.addEventListener('event', (m) => addEvent(JSON.parse(m.data)));
    es.onerror = () => {
      $('conn').textContent = 'reconnecting'; $('conn').className = 'down';
      // A session that expired: back to the sign-in form.
      fetch('/api/v1/cluster').then((r) => { if (r.status === 401) { es.close(); showLogin(); } }, () => undefined);
    };
  }

  function showLogin() { $('main').hidden = true; $('login').hidden = false; $('conn').textContent = 'signed out'; $('conn').className = ''; }

  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    fetch('/api/v1/session', { method: 'POST', headers: { authorization: 'Bearer ' + $('token').value } }).then((r) => {
      $('token').value = '';
      if (r.ok) live(); else $('loginmsg').textContent = 'wrong token';
    }, (err) => { $('loginmsg').textContent = String(err); });
  });

  for (const cmd of ['standby', 'takeover']) {
    $(cmd).addEventListener('click', () => {
      fetch('/api/v1/' + cmd, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ set: 'all' }) })
        .then((r) => r.json()).then((b) => { $('msg').textContent = b.message || b.error; }, (err) => { $('msg').textContent = String(err); });
    });
  }

  fetch('/api/v1/cluster').then((r) => { if (r.status === 401) showLogin(); else live(); }, () => showLogin());
})();
`;
