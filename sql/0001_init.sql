-- SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
-- sql/0001_init.sql - schema flowtower: flows (partitioned by day), per-minute throughput, neighbors,
-- applied batches, the JSON record types the writer parses lines with, and views for common questions.
--
-- Applied once by `flowtower migrate` (or at start-up), inside one transaction, after the migrator
-- has created flowtower.schema_version. Never edit this file once applied: add 0002_<verb>_<thing>.sql.
--
-- Citus: every table carries `sensor` and every primary key starts with it, so
-- `SELECT create_distributed_table('flowtower.flows', 'sensor')` (and the same for throughput,
-- neighbors, batches) is possible. Distribution then requires: unique keys include `sensor` (they
-- do), the writer's ON CONFLICT targets name it (they do), no foreign keys between them (there are
-- none), and partitions created through ATTACH on the coordinator (ensure_flow_partitions does).

-- ---- JSON line record types ------------------------------------------------------------------
-- Throughput and neighbor lines are few per batch: the writer COPYs them as jsonb and
-- jsonb_populate_record() maps their keys onto these by name (unknown keys ignored, absent ones
-- NULL). Flow lines, many per batch, are parsed by the writer (user/store/flowrow.c) into typed
-- columns; what has no column goes to flows.extra.
CREATE TYPE flowtower.throughput_json AS (
	minute timestamptz, direction text, ip_version smallint, packets bigint, bytes bigint);
CREATE TYPE flowtower.neighbor_json AS (
	addr inet, mac macaddr, first_seen timestamptz, last_seen timestamptz, source text);

-- ---- flows -----------------------------------------------------------------------------------
-- One row per flow and sensor, holding the flow's current totals (each batch replaces the
-- counters; L7 attributes are never overwritten with NULL).
--
-- Key: a partitioned table's primary key must contain the partition key, so the key is
-- (sensor, uuid, first_seen) rather than uuid alone; uuid stays unique in practice (UUIDv7: 48
-- bits of time, 74 random) and sensor leads for Citus. The upsert's ON CONFLICT names that key with
-- the line's first_seen, which finds the row in the common case. A sensor may report a flow's
-- first_seen a little differently later (a late per-CPU packet, a restart): that line lands as a
-- new row, and the writer, checking the rows it has just inserted for an older row of the same
-- uuid within an hour, folds the pair into one row with the earlier first_seen (a plain UPDATE may
-- move it to another day's partition; ON CONFLICT DO UPDATE may not).
CREATE TABLE flowtower.flows (
	sensor text NOT NULL,
	uuid uuid NOT NULL,
	first_seen timestamptz NOT NULL,
	last_seen timestamptz,
	ip_version smallint NOT NULL,
	proto smallint NOT NULL,
	orig_addr inet NOT NULL,
	orig_port integer,
	resp_addr inet NOT NULL,
	resp_port integer,
	icmp_type smallint,
	icmp_code smallint,
	local_side text,			-- 'orig' | 'resp' | NULL
	orig_pkts bigint NOT NULL DEFAULT 0,
	orig_bytes bigint NOT NULL DEFAULT 0,	-- IP-layer bytes
	orig_l4_bytes bigint NOT NULL DEFAULT 0,
	orig_payload_bytes bigint NOT NULL DEFAULT 0,
	resp_pkts bigint NOT NULL DEFAULT 0,
	resp_bytes bigint NOT NULL DEFAULT 0,
	resp_l4_bytes bigint NOT NULL DEFAULT 0,
	resp_payload_bytes bigint NOT NULL DEFAULT 0,
	duplicates bigint NOT NULL DEFAULT 0,
	tcp_flags smallint,
	orig_tcp_flags smallint,
	resp_tcp_flags smallint,
	state text,
	hostname text,
	hostname_source text,			-- tls_sni | http_host | quic_sni | dns
	orig_mac macaddr,
	resp_mac macaddr,
	device text,				-- a configured name of the local device
	http_host text,
	http_method text,
	tls_sni text,
	tls_alpn text[],
	tls_legacy_version integer,
	tls_supported_versions integer[],
	tls_cipher_suites integer[],
	tls_extensions integer[],
	tls_ja3 text,
	tls_ja3_full text,
	tls_ja4 text,
	tls_ech boolean,
	quic_version bigint,			-- a 32-bit version number does not fit integer
	quic_sni text,
	quic_alpn text[],
	quic_ja4 text,
	extra jsonb,				-- attributes without a column yet (newer sensors), as sent
	written_at timestamptz NOT NULL DEFAULT now(), -- when the store last wrote the row
	writes integer NOT NULL DEFAULT 1,	-- batches that wrote it (1: inserted by the last one)
	PRIMARY KEY (sensor, uuid, first_seen)
) PARTITION BY RANGE (first_seen);

-- Indexes are declared on the parent and created on every partition, one per question the views
-- answer; each costs the writer about 10 % (measured: 100,000 upserts 1.7 s with the key alone,
-- 2.8 s with all four). Only last_seen changes on an update (open flows need it).
CREATE INDEX flows_last_seen ON flowtower.flows (last_seen);		-- open flows, "active since"
CREATE INDEX flows_resp_addr ON flowtower.flows (resp_addr);		-- who talked to a remote address
-- the local device of a flow, as the views name it (same expression as flows_local.device)
CREATE INDEX flows_device ON flowtower.flows
	((COALESCE(device, host(CASE WHEN local_side = 'resp' THEN resp_addr ELSE orig_addr END))));

-- Day partitions (UTC), named flows_YYYYMMDD, created by the writer ahead of time and for every day
-- a batch touches. ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, not ACCESS EXCLUSIVE as
-- CREATE ... PARTITION OF does, so it neither waits for nor blocks other sensors' batches.
CREATE FUNCTION flowtower.ensure_flow_partition(p_day date)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	name text := 'flows_' || to_char(p_day, 'YYYYMMDD');
BEGIN
	IF p_day IS NULL OR to_regclass('flowtower.' || name) IS NOT NULL THEN
		RETURN false;
	END IF;
	-- one creator at a time; a creator that waited here may still see a stale catalog (an advisory
	-- lock processes no invalidations), hence the duplicate_table handler
	PERFORM pg_advisory_xact_lock(hashtext('flowtower.flows partitions'));
	BEGIN
		EXECUTE format('CREATE TABLE flowtower.%I (LIKE flowtower.flows INCLUDING DEFAULTS)'
			       ' WITH (fillfactor = 90)', name);
	EXCEPTION WHEN duplicate_table THEN
		RETURN false;
	END;
	EXECUTE format('ALTER TABLE flowtower.flows ATTACH PARTITION flowtower.%I FOR VALUES FROM (%L) TO (%L)',
		       name, p_day::timestamp AT TIME ZONE 'UTC', (p_day + 1)::timestamp AT TIME ZONE 'UTC');
	RETURN true;
END $$;

-- The partitions of every day in [p_from, p_to] (UTC); returns how many were created.
CREATE FUNCTION flowtower.ensure_flow_partitions(p_from timestamptz, p_to timestamptz)
RETURNS integer LANGUAGE sql AS $$
	SELECT count(*)::integer
	FROM generate_series((p_from AT TIME ZONE 'UTC')::date, (p_to AT TIME ZONE 'UTC')::date, interval '1 day') d
	WHERE flowtower.ensure_flow_partition(d::date)
$$;

-- Retention: drop day partitions that ended before p_before. Returns the names dropped.
CREATE FUNCTION flowtower.drop_flow_partitions(p_before timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.relname FROM pg_inherits i
		 JOIN pg_class c ON c.oid = i.inhrelid
		 WHERE i.inhparent = 'flowtower.flows'::regclass AND c.relname ~ '^flows_[0-9]{8}$'
		   AND (to_date(substr(c.relname, 7), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= p_before
		 ORDER BY c.relname
	LOOP
		EXECUTE format('DROP TABLE flowtower.%I', r.relname);
		RETURN NEXT r.relname;
	END LOOP;
END $$;

-- ---- throughput ------------------------------------------------------------------------------
-- Packets and bytes per minute, direction (tx: from a local prefix, rx: to one, other) and IP version.
CREATE TABLE flowtower.throughput (
	sensor text NOT NULL,
	minute timestamptz NOT NULL,
	direction text NOT NULL,
	ip_version smallint NOT NULL,
	packets bigint NOT NULL,
	bytes bigint NOT NULL,
	PRIMARY KEY (sensor, minute, direction, ip_version)
);
CREATE INDEX throughput_minute ON flowtower.throughput (minute);	-- "this month", all sensors

-- ---- neighbors -------------------------------------------------------------------------------
-- Address -> MAC as learned (ndp, probe, netlink, lease). A new MAC for an address is a new row,
-- so the history of who held an address survives.
CREATE TABLE flowtower.neighbors (
	sensor text NOT NULL,
	addr inet NOT NULL,
	mac macaddr NOT NULL,
	first_seen timestamptz,
	last_seen timestamptz,
	source text,
	PRIMARY KEY (sensor, addr, mac)
);
CREATE INDEX neighbors_mac ON flowtower.neighbors (sensor, mac);	-- the addresses of a device

-- ---- batches ---------------------------------------------------------------------------------
-- Batches applied, recorded in the same transaction as their rows: a replayed batch is skipped.
CREATE TABLE flowtower.batches (
	sensor text NOT NULL,
	seq bigint NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	mode text NOT NULL,		-- throughput lines: absolute (set) | delta (add)
	flows integer,			-- rows written
	throughput integer,
	neighbors integer,
	skipped integer,		-- flow/neighbor lines without a key (no uuid, first_seen, addr or mac)
	PRIMARY KEY (sensor, seq)
);

-- ---- views -----------------------------------------------------------------------------------
-- Flows seen from the local side. A flow whose local side is unknown is counted from its
-- originator: out = what the local side (or originator) sent, in = what it received.
CREATE VIEW flowtower.flows_local AS
SELECT f.sensor, f.uuid, f.first_seen, f.last_seen, f.proto, f.ip_version, f.state,
       COALESCE(f.device, host(CASE WHEN f.local_side = 'resp' THEN f.resp_addr ELSE f.orig_addr END))
	       AS device,
       CASE WHEN f.local_side = 'resp' THEN f.resp_addr ELSE f.orig_addr END AS local_addr,
       CASE WHEN f.local_side = 'resp' THEN f.orig_addr ELSE f.resp_addr END AS remote_addr,
       CASE WHEN f.local_side = 'resp' THEN f.orig_port ELSE f.resp_port END AS remote_port,
       f.hostname,
       CASE WHEN f.local_side = 'resp' THEN f.resp_bytes ELSE f.orig_bytes END AS bytes_out,
       CASE WHEN f.local_side = 'resp' THEN f.orig_bytes ELSE f.resp_bytes END AS bytes_in,
       f.orig_pkts + f.resp_pkts AS packets
FROM flowtower.flows f;

-- Top remote hostnames by bytes for flows that started in [p_from, p_to). A flow counts wholly
-- to the period it started in (flows have no per-minute split; throughput has).
CREATE FUNCTION flowtower.top_hostnames(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (sensor text, hostname text, flows bigint, bytes bigint, bytes_out bigint, bytes_in bigint)
LANGUAGE sql STABLE AS $$
	SELECT l.sensor, COALESCE(l.hostname, host(l.remote_addr)), count(*),
	       sum(l.bytes_out + l.bytes_in)::bigint, sum(l.bytes_out)::bigint, sum(l.bytes_in)::bigint
	FROM flowtower.flows_local l
	WHERE l.first_seen >= p_from AND l.first_seen < p_to
	GROUP BY 1, 2
	ORDER BY 4 DESC
$$;
CREATE VIEW flowtower.top_hostnames_30d AS
	SELECT * FROM flowtower.top_hostnames(now() - interval '30 days', now() + interval '1 day');

-- Bytes per device and day (the session's TimeZone decides where a day starts).
CREATE FUNCTION flowtower.device_daily(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (sensor text, device text, day date, flows bigint, bytes_out bigint, bytes_in bigint)
LANGUAGE sql STABLE AS $$
	SELECT l.sensor, l.device, date_trunc('day', l.first_seen)::date, count(*),
	       sum(l.bytes_out)::bigint, sum(l.bytes_in)::bigint
	FROM flowtower.flows_local l
	WHERE l.first_seen >= p_from AND l.first_seen < p_to
	GROUP BY 1, 2, 3
$$;
CREATE VIEW flowtower.device_daily_90d AS
	SELECT * FROM flowtower.device_daily(now() - interval '90 days', now() + interval '1 day');

-- Which hosts a device talks to: by configured device name or local address (text).
CREATE FUNCTION flowtower.device_peers(p_device text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (sensor text, remote_addr inet, hostname text, flows bigint, bytes_out bigint,
	       bytes_in bigint, first_seen timestamptz, last_seen timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT l.sensor, l.remote_addr, max(l.hostname), count(*), sum(l.bytes_out)::bigint,
	       sum(l.bytes_in)::bigint, min(l.first_seen), max(l.last_seen)
	FROM flowtower.flows_local l
	WHERE l.device = p_device AND l.first_seen >= p_from AND l.first_seen < p_to
	GROUP BY 1, 2
	ORDER BY 5 + 6 DESC
$$;
CREATE VIEW flowtower.device_peers_30d AS
	SELECT l.device, l.sensor, l.remote_addr, max(l.hostname) AS hostname, count(*) AS flows,
	       sum(l.bytes_out)::bigint AS bytes_out, sum(l.bytes_in)::bigint AS bytes_in,
	       min(l.first_seen) AS first_seen, max(l.last_seen) AS last_seen
	FROM flowtower.flows_local l
	WHERE l.first_seen >= now() - interval '30 days'
	GROUP BY 1, 2, 3;

-- Totals per month and direction, from the exact per-minute counts (an ISP's cap). The month is
-- cut in the session's TimeZone: SET TimeZone = 'Europe/Berlin' before asking.
CREATE VIEW flowtower.monthly_totals AS
SELECT sensor, date_trunc('month', minute) AS month, direction,
       sum(packets)::bigint AS packets, sum(bytes)::bigint AS bytes
FROM flowtower.throughput
GROUP BY 1, 2, 3;

-- This month so far, per direction (an index range on the key, cheap at any table size).
CREATE VIEW flowtower.month_to_date AS
SELECT sensor, direction, sum(packets)::bigint AS packets, sum(bytes)::bigint AS bytes,
       min(minute) AS since, max(minute) AS until
FROM flowtower.throughput
WHERE minute >= date_trunc('month', now())
GROUP BY 1, 2;

-- Flows that are open now: seen in the last 5 minutes (the writer runs once a minute) and not in
-- a closing state.
CREATE VIEW flowtower.open_flows AS
SELECT l.*
FROM flowtower.flows_local l
WHERE l.last_seen >= now() - interval '5 minutes'
  AND (l.state IS NULL OR l.state NOT IN ('closed', 'reset', 'expired'));
