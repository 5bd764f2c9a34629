#!/usr/bin/env python3
# Brute force: all interleavings of small programs of marked accesses, and the
# number of Mazurkiewicz traces (per object: writes in order, reads between writes
# unordered; a failed cmpxchg is a read).
import sys
def lastzero(n):
    def t0(mem):
        for i in range(n, -1, -1):
            v = yield ('r', ('a', i))
            if v == 0: break
    def tj(j):
        def f(mem):
            v = yield ('r', ('a', j-1))
            yield ('w', ('a', j), v+1)
        return f
    return {('a',i):0 for i in range(n+1)}, [t0]+[tj(j) for j in range(1,n+1)]
def readers(n):
    def w(mem): yield ('w','x',1)
    def r(mem): yield ('r','x')
    return {'x':0}, [w]+[r]*n
def lastwrite(n):
    def tj(j):
        def f(mem): yield ('w','x',j+1)
        return f
    return {'x':0}, [tj(j) for j in range(n)]
def indexer(n):
    def tj(t):
        def f(mem):
            for m in range(2):
                w = m*11 + t + 1
                h = w % 4
                while True:
                    ok = yield ('cas', ('t',h), 0, w)
                    if ok: break
                    h = (h+1) % 8
        return f
    return {('t',i):0 for i in range(8)}, [tj(t) for t in range(n)]

# filesystem(N) (Flanagan and Godefroid, POPL 2005, section 6), scaled to the
# seam's four threads: 8 inodes, 4 blocks, so that threads i and i+2 want the same
# block (the paper's 32 inodes and 26 blocks collide only from 14 threads on).
def filesystem(n):
    NUMINODE, NUMBLOCKS = 8, 4
    def tj(t):
        def f(mem):
            i = t % NUMINODE
            yield ('lock', ('li', i))
            v = yield ('r', ('inode', i))
            if v == 0:
                b = (i * 2) % NUMBLOCKS
                while True:
                    yield ('lock', ('lb', b))
                    busy = yield ('r', ('busy', b))
                    if not busy:
                        yield ('w', ('busy', b), 1)
                        yield ('w', ('inode', i), b + 1)
                        yield ('unlock', ('lb', b))
                        break
                    yield ('unlock', ('lb', b))
                    b = (b + 1) % NUMBLOCKS
            yield ('unlock', ('li', i))
        return f
    init = {}
    for i in range(NUMINODE): init[('li', i)] = 0; init[('inode', i)] = 0
    for b in range(NUMBLOCKS): init[('lb', b)] = 0; init[('busy', b)] = 0
    return init, [tj(t) for t in range(n)]
# sigma(N) (SV-COMP pthread/sigma): main increments array_index before creating
# each of N workers, which write array[array_index] = 1. The seam's threads start
# together, so creation is a flag the worker waits for (read, retry until written).
def sigma(n):
    def main(mem):
        for t in range(1, n + 1):
            yield ('w', 'index', t - 1)
            yield ('w', ('started', t), 1)
    def worker(t):
        def f(mem):
            while True:
                v = yield ('r', ('started', t))
                if v: break
                yield ('retry', ('started', t))
            i = yield ('r', 'index')
            yield ('w', ('array', i), 1)
        return f
    init = {'index': -1}
    for t in range(1, n + 1): init[('started', t)] = 0; init[('array', t - 1)] = 0
    return init, [main] + [worker(t) for t in range(1, n + 1)]

def enabled(op, mem):
    if op[0] == 'lock': return mem[op[1]] == 0
    if op[0] == 'retry': return mem[op[1]] != 0
    return True

def explore(prog):
    init, threads = prog
    total = 0; traces = set()
    def run(sched):
        # replay a schedule prefix; return (enabled threads, events) or complete
        mem = dict(init); gens = [t(mem) for t in threads]; pend = [None]*len(gens); alive=[True]*len(gens)
        for i,g in enumerate(gens):
            try: pend[i] = next(g)
            except StopIteration: alive[i]=False
        events=[]; cnt=[0]*len(gens)
        def step(i):
            op = pend[i]; kind=op[0]; obj=op[1]
            if kind=='r': res=mem[obj]; k='r'
            elif kind=='retry': res=None; k='r'
            elif kind=='lock': mem[obj]=1; res=None; k='w'
            elif kind=='unlock': mem[obj]=0; res=None; k='w'
            elif kind=='w': mem[obj]=op[2]; res=None; k='w'
            else:
                if mem[obj]==op[2]: mem[obj]=op[3]; res=True; k='w'
                else: res=False; k='r'
            events.append((i,cnt[i],obj,k)); cnt[i]+=1
            try: pend[i]=gens[i].send(res)
            except StopIteration: alive[i]=False
        for i in sched: step(i)
        return [i for i in range(len(gens)) if alive[i] and enabled(pend[i], mem)], events
    stack=[[]]
    while stack:
        s=stack.pop()
        en, ev = run(s)
        if not en:
            total+=1
            per={}
            for (t,c,obj,k) in ev:
                blocks=per.setdefault(obj,[])
                if k=='w': blocks.append(('w',(t,c)))
                else:
                    if not blocks or blocks[-1][0]!='r': blocks.append(('r',set()))
                    blocks[-1][1].add((t,c))
            traces.add(tuple(sorted((str(o),tuple((b[0],tuple(sorted(b[1])) if b[0]=='r' else b[1]) for b in bl)) for o,bl in per.items())))
            continue
        for i in reversed(en): stack.append(s+[i])
    return total, len(traces)
programs = [('lastzero',lastzero,[1,2,3]),('readers',readers,[1,2,3]),('lastwrite',lastwrite,[2,3,4]),
            ('indexer',indexer,[2,3,4]),('filesystem',filesystem,[2]),('sigma',sigma,[1,2])]
only = sys.argv[1:]
for name,f,ns in programs:
    if only and name not in only: continue
    for n in ns:
        print(name, n, explore(f(n)))
