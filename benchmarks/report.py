"""Turn collected samples into the results table (Markdown) and the JSON document."""
import json
import statistics

from envs import C_CEILING, CONTESTANTS


class Cell(object):
    """All rounds of one contestant on one workload: samples, or the first error."""

    def __init__(self):
        self.samples = []
        self.extras = []
        self.error = None
        self.traceback = None

    def __repr__(self):
        return 'Cell(samples=%r, error=%r)' % (self.samples, self.error)

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples and not self.error else None

    def summary(self, stat, higher_is_better):
        """The number shown in the table: the median, or with stat='best' the best round."""
        if not self.samples or self.error:
            return None
        if stat == 'best':
            return max(self.samples) if higher_is_better else min(self.samples)
        return statistics.median(self.samples)

    @property
    def spread(self):
        """(max - min) / median over the rounds: how noisy this cell was."""
        med = self.median
        if not med or len(self.samples) < 2:
            return None
        return (max(self.samples) - min(self.samples)) / med

    def as_dict(self):
        return {'median': self.median, 'samples': self.samples, 'extras': self.extras,
                'error': self.error, 'traceback': self.traceback}


def fmt_value(value, unit):
    if value is None:
        return ''
    if unit in ('ms', 'MiB'):
        return '%.1f' % value
    for limit, suffix in ((1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if value >= limit:
            scaled = value / limit
            return ('%.3g' % scaled) + suffix
    return '%.3g' % value


def speedup(clone, other, higher_is_better):
    """> 1 when the clone is better, whatever the unit's direction."""
    if not clone or not other:
        return None
    return clone / other if higher_is_better else other / clone


def _best(values, higher_is_better):
    values = [v for v in values if v]
    if not values:
        return None
    return max(values) if higher_is_better else min(values)


def _fmt_ratio(ratio):
    return '' if ratio is None else '%.2fx' % ratio


def build_table(workloads, contestants, cells, meta):
    """Markdown table plus footnotes (errors) and notes (versions, method)."""
    names = [c.name for c in contestants]
    with_c = any(w.redis_benchmark for w in workloads) and C_CEILING in meta['contestants']
    clone_vs_c = with_c and ('clone-py' in names or 'clone-hi' in names)
    header = ['workload', 'unit'] + [CONTESTANTS[n].label for n in names]
    if with_c:
        header.append('redis-benchmark (C)')
    ratio_py = 'clone-py' in names and ('latest-py' in names or '2.10.6-py' in names)
    ratio_hi = 'clone-hi' in names and ('latest-hi' in names or '2.10.6-hi' in names)
    if ratio_py:
        header.append('clone-py / best py')
    if ratio_hi:
        header.append('clone-hi / best hiredis')
    if clone_vs_c:
        header.append('clone / C')
    redispy = [n for n in names if CONTESTANTS[n].target == 'redispy']
    floor_vs_best = 'floor' in names and redispy and any(w.floor for w in workloads)
    if floor_vs_best:
        header.append('floor / best redis-py')
    header.append('spread')
    rows = [header, ['---'] * len(header)]
    footnotes = []

    stat = meta.get('stat', 'median')

    def cell_text(cell, unit, hib):
        if cell is None:
            return '-'
        if cell.error:
            if cell.error not in footnotes:
                footnotes.append(cell.error)
            return 'error[%d]' % (footnotes.index(cell.error) + 1)
        return fmt_value(cell.summary(stat, hib), unit)

    for w in workloads:
        row_cells = cells.get(w.name, {})
        hib = w.higher_is_better
        med = dict((n, row_cells[n].summary(stat, hib)) for n in row_cells)
        row = [w.title, w.unit] + [cell_text(row_cells.get(n), w.unit, hib)
                                   if n != 'floor' or w.floor else 'n/a' for n in names]
        if with_c:
            row.append(cell_text(row_cells.get(C_CEILING), w.unit, hib) if w.redis_benchmark else 'n/a')
        if ratio_py:
            row.append(_fmt_ratio(speedup(med.get('clone-py'),
                                          _best([med.get('latest-py'), med.get('2.10.6-py')], hib), hib)))
        if ratio_hi:
            row.append(_fmt_ratio(speedup(med.get('clone-hi'),
                                          _best([med.get('latest-hi'), med.get('2.10.6-hi')], hib), hib)))
        if clone_vs_c:
            best_clone = _best([med.get('clone-py'), med.get('clone-hi')], hib)
            row.append(_fmt_ratio(speedup(best_clone, med.get(C_CEILING), hib)) if w.redis_benchmark else '')
        if floor_vs_best:
            # the most any Python client could beat redis-py by on this row, here
            row.append(_fmt_ratio(speedup(med.get('floor'), _best([med.get(n) for n in redispy], hib), hib))
                       if w.floor else '')
        spreads = [c.spread for c in row_cells.values() if c.spread is not None]
        row.append('%d%%' % round(100 * max(spreads)) if spreads else '')
        rows.append(row)

    lines = ['| ' + ' | '.join(r) + ' |' for r in rows]
    if footnotes:
        lines.append('')
        for i, text in enumerate(footnotes, 1):
            lines.append('[%d] %s' % (i, text))
    lines.append('')
    lines.extend('- ' + note for note in notes(workloads, cells, meta))
    return '\n'.join(lines)


def notes(workloads, cells, meta):
    out = ['%s of %d rounds of %.2g s per measurement; each contestant x workload runs in '
           'its own process, contestants alternate within a round (A B C, B C A, ...).'
           % ('Best' if meta.get('stat') == 'best' else 'Medians', meta['rounds'], meta['duration']),
           'Ratios are > 1 when the clone is better (for ms and MiB rows: best / clone); '
           '"best" is the better of redis-py latest and 2.10.6 with the same parser. '
           '"spread" is the largest (max - min) / median of any cell in the row.',
           'Python %s, redis-server %s, %s.' % (meta.get('python'), meta.get('redis_server'),
                                                meta.get('machine', 'unknown machine'))]
    pin = meta.get('pin')
    if pin == 'same':
        out.append('Pinning: redis-server, the workers and redis-benchmark all on CPU %s, so a round '
                   'trip costs no cross-CPU wake-up and the numbers show client CPU cost.'
                   % meta.get('server_cpus'))
    elif pin == 'split':
        out.append('Pinning: redis-server on CPU %s, the workers and redis-benchmark on CPU %s.'
                   % (meta.get('server_cpus'), meta.get('client_cpus')))
    else:
        out.append('No CPU pinning: round-trip rows depend on where the scheduler puts each process.')
    versions = meta.get('versions', {})
    parts = []
    for name, v in sorted(versions.items()):
        if v.get('redis'):
            bits = ['redis %s' % v['redis']]
        else:
            bits = ['no redis package' + (' (the clone)' if name.startswith('clone') else '')]
        if v.get('hiredis'):
            bits.append('hiredis %s' % v['hiredis'])
        parts.append('%s: %s' % (name, ', '.join(bits)))
    if parts:
        out.append('Venvs: ' + '; '.join(parts) + '.')
    if '2.10.6-hi' in versions:
        out.append('redis-py 2.10.6 runs with hiredis %s as is (its HiredisParser works with the '
                   'current hiredis; setuptools is installed beside it for distutils).'
                   % versions['2.10.6-hi'].get('hiredis'))
    names = set(w.name for w in workloads)
    if names & {'get', 'set', 'incr'}:
        out.append('redis-benchmark: `redis-benchmark -c 1 -n N -t get|set|incr -q` on the same '
                   'server, the C ceiling for one-at-a-time round trips; clone / C uses the better clone.')
    if 'floor' in meta['contestants'] and any(w.floor for w in workloads):
        out.append('Python socket floor (benchmarks/floor.py): command bytes packed once, one sendall '
                   'and recv_into per call, no pool and no callbacks: the least a Python client '
                   'does per command. "floor / best redis-py" is the most any Python client could '
                   'beat redis-py by on that row on this machine.')
    if 'memory' in names:
        sizes = [e.get('result_mib') for c in cells.get('memory', {}).values() for e in c.extras]
        sizes = [s for s in sizes if s]
        out.append('Memory: growth of ru_maxrss (peak RSS, C allocations included) across one '
                   'LRANGE of 1,000,000 elements, one fresh process per sample; it includes the '
                   'returned list itself%s.'
                   % (' (%.0f MiB of Python objects)' % statistics.median(sizes) if sizes else ''))
    if 'import' in names:
        out.append('Import: median of several fresh `python -I` processes per sample, after one '
                   'warm-up process.')
    return out


def to_json(workloads, contestants, cells, meta):
    return json.dumps({
        'meta': meta,
        'workloads': dict((w.name, {'title': w.title, 'unit': w.unit,
                                    'higher_is_better': w.higher_is_better,
                                    'results': dict((n, c.as_dict())
                                                    for n, c in cells.get(w.name, {}).items())})
                          for w in workloads),
    }, indent=1)
