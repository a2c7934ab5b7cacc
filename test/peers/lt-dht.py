#!/usr/bin/python3
"""lt-dht.py — several libtorrent 2.0 DHT nodes in one process, on 127.0.0.1, driven by
stdin lines; for the DHT interop tests and the DHT bench. Run with /usr/bin/python3.

Usage: lt-dht.py --ports 7001,7002 --bootstrap 127.0.0.1:6881[,127.0.0.1:6882]
Each session listens on 127.0.0.1:PORT (TCP + UDP; the DHT is on the UDP port) and
bootstraps at --bootstrap plus the sessions before it. Prints `READY port...` once every
session's DHT has bootstrapped (dht_bootstrap_alert), then obeys one command per line:
  seed I DIR            session I seeds a fresh 64 KiB torrent made in DIR (no trackers, DHT on),
                        prints `SEEDING HEX PORT`; libtorrent announces it to the DHT by itself
                        (force_dht_announce; no alert says when it is done: watch the receiving
                        side). (session.dht_announce cannot be called from the 2.0.8 bindings:
                        its flags type is not exported.)
  get_peers I HEX       dht_get_peers from session I; prints `PEERS HEX host:port,... took=SECONDS`
                        at its first answer with peers (libtorrent posts one alert per such answer)
  sample I PORT HEX     BEP 51 sample_infohashes to 127.0.0.1:PORT from session I; prints
                        `SAMPLES PORT num=N hex,hex...`
  nodes I               prints `NODES I n` (routing table size)
  add_node I PORT       add_dht_node(127.0.0.1, PORT)
  leech I MAGNET DIR    session I downloads a magnet link into DIR, finding peers on the DHT
                        only; prints `DONE HEX` when complete
  quit
Network lockdown: DHT on, but dht_bootstrap_nodes names loopback only; LSD/UPnP/NAT-PMP/IP
notifier off; no torrents. Loopback specifics: many nodes share 127.0.0.1, so
dht_restrict_routing_ips / dht_restrict_search_ips are off, dht_block_ratelimit is raised (at
its default of 5/s libtorrent blocks 127.0.0.1 for 5 minutes), dht_ignore_dark_internet is off
and dht_upload_rate_limit is raised.
"""
import argparse, os, sys, time, threading, queue
import libtorrent as lt

ap = argparse.ArgumentParser()
ap.add_argument('--ports', required=True)
ap.add_argument('--bootstrap', default='')
ap.add_argument('--timeout', type=float, default=600)
a = ap.parse_args()
ports = [int(p) for p in a.ports.split(',') if p]
boot = [b for b in a.bootstrap.split(',') if b]

def out(*x):
    print(*x, flush=True)

sessions = []
for i, port in enumerate(ports):
    nodes = boot + [f'127.0.0.1:{p}' for p in ports[:i]]
    s = lt.session({
        'listen_interfaces': f'127.0.0.1:{port}',
        'enable_dht': True, 'dht_bootstrap_nodes': ','.join(nodes),
        'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False, 'enable_ip_notifier': False,
        'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False,
        'dht_block_ratelimit': 100000, 'dht_ignore_dark_internet': False, 'dht_upload_rate_limit': 10_000_000,
        'dht_prefer_verified_node_ids': False,
        'enable_incoming_utp': False, 'enable_outgoing_utp': False,
        'alert_mask': int(lt.alert_category.dht | lt.alert_category.dht_operation | lt.alert_category.error | lt.alert_category.status),
    }, 0)
    s.add_extension('ut_metadata')  # magnets: metadata from peers (BEP 9)
    s.add_extension('smart_ban')
    sessions.append(s)

commands = queue.Queue()
def reader():
    for line in sys.stdin:
        commands.put(line.split())
    commands.put(['quit'])
threading.Thread(target=reader, daemon=True).start()

bootstrapped = set()
leeching = {}  # info hash hex -> handle, until done
deadline = time.time() + a.timeout
ready = False
while time.time() < deadline:
    for i, s in enumerate(sessions):
        for al in s.pop_alerts():
            if isinstance(al, lt.dht_bootstrap_alert):
                bootstrapped.add(i)
            elif isinstance(al, lt.dht_sample_infohashes_alert):
                out('SAMPLES', al.endpoint[1], f'num={al.num_infohashes}', ','.join(str(x) for x in al.samples) or '-')
    for hexhash, h in list(leeching.items()):
        if h.status().is_seeding:
            out('DONE', hexhash)
            del leeching[hexhash]
    if not ready and len(bootstrapped) == len(sessions):
        ready = True
        out('READY', *ports)
    try:
        cmd = commands.get(timeout=0.01)
    except queue.Empty:
        continue
    if not cmd:
        continue
    op = cmd[0]
    if op == 'quit':
        break
    i = int(cmd[1]); s = sessions[i]
    if op == 'seed':
        d = cmd[2]
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f'lt-dht-{i}.bin')
        with open(path, 'wb') as f:
            f.write(os.urandom(65536))
        fs = lt.file_storage(); lt.add_files(fs, path)
        ct = lt.create_torrent(fs, 16384, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(ct, d)
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(lt.bencode(ct.generate()))
        atp.save_path = d
        atp.flags = (atp.flags | lt.torrent_flags.seed_mode | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex) & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
        th = s.add_torrent(atp)
        th.force_dht_announce()
        out('SEEDING', str(atp.ti.info_hash()), ports[i])
    elif op == 'get_peers':
        # wait on this session's alerts right away (the main loop polls every 10 ms, too
        # coarse to time a loopback walk); libtorrent posts a reply alert each time an
        # answer with peers arrives, so the first one is the time to the first peer
        t0 = time.time()
        s.dht_get_peers(lt.sha1_hash(bytes.fromhex(cmd[2])))
        got = False
        while not got and time.time() < t0 + 30:
            if s.wait_for_alert(100) is None:
                continue
            for al in s.pop_alerts():
                if isinstance(al, lt.dht_get_peers_reply_alert) and str(al.info_hash) == cmd[2] and not got:
                    got = True
                    peers = ','.join(f'{ip}:{port}' for ip, port in al.peers())
                    out('PEERS', cmd[2], peers or '-', f'took={time.time() - t0:.5f}')
        if not got:
            out('PEERS', cmd[2], '-', 'took=timeout')
    elif op == 'sample':
        s.dht_sample_infohashes(('127.0.0.1', int(cmd[2])), lt.sha1_hash(bytes.fromhex(cmd[3])))
    elif op == 'nodes':
        st = s.status()
        out('NODES', i, st.dht_nodes)
    elif op == 'leech':
        atp = lt.parse_magnet_uri(cmd[2])
        atp.save_path = cmd[3]
        atp.flags = (atp.flags | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex) & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
        h = s.add_torrent(atp)
        leeching[str(atp.info_hashes.v1) if hasattr(atp, 'info_hashes') else str(atp.info_hash)] = h
    elif op == 'add_node':
        s.add_dht_node(('127.0.0.1', int(cmd[2])))
sys.exit(0)
