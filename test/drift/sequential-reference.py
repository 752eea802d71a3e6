# Reference values for test/drift/sequential.test.ts, from the definitions in src/drift/sequential.ts,
# worked out with python3's math and statistics modules only: `python3 test/drift/sequential-reference.py`.
import math, statistics as st
clip=lambda x,l: max(-l,min(l,x))
def learn(values, clipAt=3, lowCut=0.3, band=3):
    m=st.median(values); scale=max(1.4826*st.median([abs(v-m) for v in values]), 0.01, 0.02*m)
    n=0; s=0; lows=0; wild=0; ps=0; pq=0; pl=0; prev=0
    for v in values:
        if n>1:
            c=ps/n; var=max(0,pq/n-c*c); spread=max(math.sqrt(var),0.5)
        else: spread=1
        psi=clip((v-m)/scale, clipAt)
        low = v < m*(1-lowCut)
        w = abs(v-m) >= band*scale*max(1,spread) and not low
        pl = pl+psi*prev if n>0 else 0
        n+=1; s+=v; lows+=low; wild+=w; ps+=psi; pq+=psi*psi; prev=psi
    c=ps/n; var=max(0,pq/n-c*c); spread=max(math.sqrt(var),0.5)
    lag=pl/(n-1)-c*c
    rho=0 if var<1e-12 else min(0.9,max(0,lag/var))
    return dict(level=s/n, median=m, scale=scale, lowShare=max(0.02,(lows+0.5)/(n+1)), wildShare=max(0.02,(wild+0.5)/(n+1)), center=c, spread=spread, rho=rho, lows=lows, wild=wild)
for vals in [[0.9,0.92,0.88,0.91,0.3,0.9,0.95,0.87,0.89,0.93],[0.8,0.82,0.84,0.86,0.84,0.82,0.8,0.78,0.76,0.78,0.8,0.82]]:
    print({k: repr(v) for k,v in learn(vals).items()})
# Bernoulli CUSUM path, p0 0.02, rise 0.15
s=0; out=[]
for hit in [1,0,0,1,0,1,0,0,1]:
    s=max(0, s+(math.log(0.17/0.02) if hit else math.log(0.83/0.98))); out.append(repr(s))
print(out)
# mean CUSUM path, k=0.5 on residuals
s=0; out=[]
for r in [0.3,1.2,-2,2.5,0.7,-0.1]:
    s=max(0,s+r-0.5); out.append(repr(s))
print(out)
