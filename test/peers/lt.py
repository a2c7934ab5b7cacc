#!/usr/bin/python3
"""lt.py — libtorrent-rasterbar (Debian python3-libtorrent 2.0.8) seeder / leecher for loopback tests.

Usage:
  lt.py make  FILE TORRENT --tracker URL [--piece N]  # writes a v1 .torrent made by libtorrent, prints its info hash
  lt.py seed  TORRENT SAVE_DIR --port 6881            # checks data, prints READY, seeds until killed
  lt.py leech TORRENT OUT_DIR  --port 6882 [--timeout 300]   # exits 0 when complete, prints JSON stats

Run it with /usr/bin/python3 (the Debian python), inside the loopback netns (scripts/common.sh: inns).

Network lockdown (all set in the session CONSTRUCTOR, so nothing starts with defaults first —
apply_settings() after construction would let DHT/UPnP/LSD begin with the default settings):
  flags=0                  : no default features (DHT/LSD/UPnP/NAT-PMP not started) and no default
                             plugins; we then add only ut_metadata + smart_ban, i.e. NO ut_pex (PEX off)
  enable_dht/lsd/upnp/natpmp = False, dht_bootstrap_nodes = ''   (the default names public bootstrap nodes)
  listen_interfaces = 127.0.0.1:PORT    (default is 0.0.0.0:6881,[::]:6881)
  enable_ip_notifier = False            (no netlink watching / re-listen)
  torrent flags disable_dht|disable_lsd|disable_pex   (belt and braces per torrent)
  The only tracker is the one inside the .torrent (http://127.0.0.1:6969/announce, ours).
Loopback specifics:
  allow_multiple_connections_per_ip = True  — REQUIRED when several peers share 127.0.0.1 (default False:
                             libtorrent keeps one connection per IP, so a 127.0.0.1 swarm collapses to 1 peer)
  ssrf_mitigation stays on: fine because the tracker path is exactly /announce on localhost.
Transmission interop: Transmission (3.00 and 4.x) refuses to DIAL 127.0.0.0/8 / ::1 peers learned from a
  tracker (isMartianAddr); it only accepts them inbound. Use --announce-every 1 on the seeder so it
  learns the Transmission leecher from the tracker and connects to it.
Fairness knobs (defaults chosen for plain-TCP comparisons with clients lacking MSE/uTP):
  --utp  : enable uTP (default off -> TCP only)
  --enc  : allow MSE/PE encryption (default: pe_disabled in and out -> plaintext BitTorrent)
  --enc-forced : require MSE/PE with RC4 both ways (pe_forced in and out, allowed_enc_level pe_rc4)
"""
import argparse, json, os, sys, time, resource
import libtorrent as lt

if len(sys.argv) > 1 and sys.argv[1] == 'make':
    ap = argparse.ArgumentParser(); ap.add_argument('mode'); ap.add_argument('file'); ap.add_argument('torrent')
    ap.add_argument('--tracker', required=True); ap.add_argument('--piece', type=int, default=256 * 1024)
    a = ap.parse_args()
    fs = lt.file_storage(); lt.add_files(fs, a.file)
    ct = lt.create_torrent(fs, a.piece, flags=lt.create_torrent.v1_only)
    ct.add_tracker(a.tracker)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(a.file)))
    open(a.torrent, 'wb').write(lt.bencode(ct.generate()))
    print(str(lt.torrent_info(a.torrent).info_hash()))
    sys.exit(0)

T0 = time.time()
ap = argparse.ArgumentParser()
ap.add_argument('mode', choices=['seed', 'leech'])
ap.add_argument('torrent')
ap.add_argument('dir')
ap.add_argument('--port', type=int, default=6881)
ap.add_argument('--bind', default='127.0.0.1')
ap.add_argument('--utp', action='store_true')
ap.add_argument('--no-incoming', action='store_true', help='accept no TCP connections (a peer behind NAT)')
ap.add_argument('--no-outgoing', action='store_true', help='dial no TCP connections: only peers that dial it are met')
ap.add_argument('--pex', action='store_true', help='peer exchange on (the ut_pex plugin; off by default)')
ap.add_argument('--upload-limit', type=int, default=0, help='bytes/s this session sends at most (0: no limit)')
ap.add_argument('--enc', action='store_true')
ap.add_argument('--enc-forced', action='store_true')
ap.add_argument('--timeout', type=float, default=600)
ap.add_argument('--seed-mode', action='store_true', help='skip initial hash check when seeding (lazy verify)')
ap.add_argument('--quiet', action='store_true')
ap.add_argument('--peer', type=int, action='append', default=[], help='leech: dial 127.0.0.1:PORT directly (no tracker round trip)')
ap.add_argument('--linger', action='store_true', help='leech: keep running (seeding) after completion until killed')
ap.add_argument('--announce-every', type=float, default=0,
                help='seed: force a tracker re-announce every N s (needed for Transmission leechers, which never '
                     'dial 127.x peers themselves: the seeder must learn of them and connect out)')
a = ap.parse_args()

enc = lt.enc_policy.pe_forced if a.enc_forced else lt.enc_policy.pe_enabled if a.enc else lt.enc_policy.pe_disabled
settings = {
    'listen_interfaces': f'{a.bind}:{a.port}',
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'dht_bootstrap_nodes': '',
    'enable_ip_notifier': False,
    'allow_multiple_connections_per_ip': True,
    'enable_incoming_utp': a.utp, 'enable_outgoing_utp': a.utp,
    'enable_incoming_tcp': not a.no_incoming, 'enable_outgoing_tcp': not a.no_outgoing,
    'in_enc_policy': int(enc), 'out_enc_policy': int(enc),
    **({'allowed_enc_level': int(lt.enc_level.rc4), 'prefer_rc4': True} if a.enc_forced else {}),
    **({'upload_rate_limit': a.upload_limit} if a.upload_limit else {}),
    'active_downloads': -1, 'active_seeds': -1, 'active_limit': -1,
    'alert_mask': int(lt.alert_category.error | lt.alert_category.status | lt.alert_category.tracker),
}
ses = lt.session(settings, 0)          # flags=0: no default plugins, no default features
ses.add_extension('ut_metadata')       # magnet/metadata exchange (BEP 9)
if a.pex:
    ses.add_extension('ut_pex')
if a.upload_limit:
    # rate limits spare local peers by default (they get the local peer class): put every
    # address in the global class, so the limit holds on loopback
    everyone = lt.ip_filter()
    everyone.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
    ses.set_peer_class_filter(everyone)
ses.add_extension('smart_ban')         # NOT 'ut_pex'  -> PEX disabled

atp = lt.add_torrent_params()
atp.ti = lt.torrent_info(a.torrent)
atp.save_path = a.dir
atp.flags = (atp.flags | lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | (0 if a.pex else lt.torrent_flags.disable_pex))
atp.flags &= ~lt.torrent_flags.auto_managed
atp.flags &= ~lt.torrent_flags.paused
if a.mode == 'seed' and a.seed_mode:
    atp.flags |= lt.torrent_flags.seed_mode
h = ses.add_torrent(atp)
for p in a.peer:
    h.connect_peer(('127.0.0.1', p))

def log(*x):
    if not a.quiet:
        print(f'[lt {a.mode} {time.time()-T0:7.2f}s]', *x, file=sys.stderr, flush=True)

ready_printed = False
next_announce = 0.0
t_first_byte = None
deadline = T0 + a.timeout
while time.time() < deadline:
    ses.wait_for_alert(200)
    for al in ses.pop_alerts():
        if isinstance(al, (lt.tracker_error_alert, lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
            log('ALERT', al.what(), al.message())
        elif isinstance(al, (lt.tracker_reply_alert, lt.listen_succeeded_alert)):
            log(al.what(), al.message())
    st = h.status()
    if t_first_byte is None and st.total_payload_download > 0:
        t_first_byte = time.time()
    if a.mode == 'seed':
        if a.announce_every and ready_printed and time.time() >= next_announce:
            h.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval) if hasattr(lt, 'reannounce_flags_t') else h.force_reannounce()
            next_announce = time.time() + a.announce_every
        if not ready_printed and st.is_seeding:
            ready_printed = True
            log('seeding; checked in', round(time.time() - T0, 2), 's')
            print('READY', flush=True)
            deadline = float('inf')
    else:
        if st.is_finished or st.is_seeding:
            t = time.time() - T0
            ru = resource.getrusage(resource.RUSAGE_SELF)
            out = {'client': 'libtorrent-' + lt.__version__, 'wall_s': round(t, 3),
                   'first_payload_s': round(t_first_byte - T0, 3) if t_first_byte else None,
                   'bytes': st.total_wanted, 'MBps': round(st.total_wanted / 1e6 / t, 1),
                   'peers_seen': st.list_peers, 'cpu_s': round(ru.ru_utime + ru.ru_stime, 2),
                   'peak_rss_mb': round(ru.ru_maxrss / 1024, 1)}
            print(json.dumps(out), flush=True)
            if not a.linger:
                sys.exit(0)
            a.mode = 'seed'; ready_printed = True; deadline = float('inf')
print('TIMEOUT', json.dumps({'progress': h.status().progress}), flush=True)
sys.exit(2)
