#!/usr/bin/env python3
"""
ec_tables_gen.py: writes crypto-src/ec/ec_tables.h, the constants of
ec_curves.c: field and group-order constants in the limb form of
ec_field_ct.c (radix 2^29, 9 limbs for P-256; radix 2^28, 14 limbs for
P-384; Montgomery form where noted) and the precomputed multiples of the
generator G used by the fixed-base comb (ec_point_ct.c) and by the
verification wNAF (ec_point_vartime.c).

It also checks the domain parameters (FIPS 186-5 / SP 800-186 section 3.2.1)
before using them: G on the curve, n*G = infinity, p and n prime by a
Miller-Rabin round set, so a typing error here cannot go unnoticed.

Run: python3 crypto-src/ec/ec_tables_gen.py > crypto-src/ec/ec_tables.h
"""
import random

CURVES = {
    "P256": dict(
        p=2**256 - 2**224 + 2**192 + 2**96 - 1,
        b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        bits=256, w=29, nl=9),
    "P384": dict(
        p=2**384 - 2**128 - 2**96 + 2**32 - 1,
        b=int("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
              "C656398D8A2ED19D2A85C8EDD3EC2AEF", 16),
        n=int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
              "581A0DB248B0A77AECEC196ACCC52973", 16),
        gx=int("AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
               "5502F25DBF55296C3A545E3872760AB7", 16),
        gy=int("3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
               "0A60B1CE1D7E819D7A431D7C90EA0E5F", 16),
        bits=384, w=28, nl=14),
}
# Fixed-base comb (Lim-Lee): TEETH bits per table index, BLOCKS tables.
TEETH, BLOCKS = 4, 4
# Verification: odd multiples 1G, 3G, ..., (2^(W-1) - 1)G for a width-W wNAF.
WNAF_G = 7


def is_probable_prime(m):
    if m < 2:
        return False
    d, s = m - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    rnd = random.Random(1)
    for _ in range(40):
        a = rnd.randrange(2, m - 1)
        x = pow(a, d, m)
        if x in (1, m - 1):
            continue
        for _ in range(s - 1):
            x = x * x % m
            if x == m - 1:
                break
        else:
            return False
    return True


class Curve:
    def __init__(self, name, p, b, n, gx, gy, bits, w, nl):
        self.__dict__.update(name=name, p=p, b=b, n=n, gx=gx, gy=gy, bits=bits, w=w, nl=nl)
        assert is_probable_prime(p) and is_probable_prime(n)
        assert (gy * gy - (gx**3 - 3 * gx + b)) % p == 0, "G not on curve"
        assert self.mul(n, (gx, gy)) is None, "n*G != O"
        assert w * nl >= bits + 4

    # Affine arithmetic, infinity = None (reference only).
    def add(self, P, Q):
        p = self.p
        if P is None:
            return Q
        if Q is None:
            return P
        (x1, y1), (x2, y2) = P, Q
        if x1 == x2:
            if (y1 + y2) % p == 0:
                return None
            lam = (3 * x1 * x1 - 3) * pow(2 * y1, -1, p) % p
        else:
            lam = (y2 - y1) * pow(x2 - x1, -1, p) % p
        x3 = (lam * lam - x1 - x2) % p
        return (x3, (lam * (x1 - x3) - y1) % p)

    def mul(self, k, P):
        R = None
        for bit in bin(k)[2:]:
            R = self.add(R, R)
            if bit == "1":
                R = self.add(R, P)
        return R

    def limbs(self, v):
        assert 0 <= v < 2 ** (self.w * self.nl)
        m = (1 << self.w) - 1
        return [(v >> (self.w * i)) & m for i in range(self.nl)]

    def mont(self, v):
        return v * 2 ** (self.w * self.nl) % self.p


def rcb_check(c):
    """Renes-Costello-Batina 2016, algorithms 4, 5 and 6 (a = -3), in the
    merged form ec_point_ct.c computes them (runs of additions forming small
    multiples done as one step), checked against affine arithmetic."""
    p, b = c.p, c.b

    def add(P, Q):
        X1, Y1, Z1 = P; X2, Y2, Z2 = Q
        t0 = X1 * X2; t1 = Y1 * Y2; t2 = Z1 * Z2
        t3 = X1 + Y1; t4 = X2 + Y2; t3 = t3 * t4
        t4 = t0 + t1; t3 = t3 - t4; t4 = Y1 + Z1
        X3 = Y2 + Z2; t4 = t4 * X3; X3 = t1 + t2
        t4 = t4 - X3; X3 = X1 + Z1; Y3 = X2 + Z2
        X3 = X3 * Y3; Y3 = t0 + t2; Y3 = X3 - Y3
        Z3 = b * t2; X3 = Y3 - Z3; X3 = 3 * X3
        Z3 = t1 - X3; X3 = t1 + X3; Y3 = b * Y3
        t2 = 3 * t2; Y3 = Y3 - t2; Y3 = 3 * Y3 - 3 * t0
        t0 = 3 * t0 - t2
        t1 = t4 * Y3; t2 = t0 * Y3
        Y3 = X3 * Z3; Y3 = Y3 + t2; X3 = t3 * X3
        X3 = X3 - t1; Z3 = t4 * Z3; t1 = t3 * t0
        Z3 = Z3 + t1
        return (X3 % p, Y3 % p, Z3 % p)

    def madd(P, Q):
        X1, Y1, Z1 = P; X2, Y2 = Q
        t0 = X1 * X2; t1 = Y1 * Y2; t3 = X2 + Y2
        t4 = X1 + Y1; t3 = t3 * t4; t4 = t0 + t1
        t3 = t3 - t4; t4 = Y2 * Z1; t4 = t4 + Y1
        Y3 = X2 * Z1; Y3 = Y3 + X1; Z3 = b * Z1
        X3 = Y3 - Z3; X3 = 3 * X3
        Z3 = t1 - X3; X3 = t1 + X3; Y3 = b * Y3
        t2 = 3 * Z1; Y3 = Y3 - t2
        Y3 = 3 * Y3 - 3 * t0
        t0 = 3 * t0 - t2
        t1 = t4 * Y3; t2 = t0 * Y3; Y3 = X3 * Z3
        Y3 = Y3 + t2; X3 = t3 * X3; X3 = X3 - t1
        Z3 = t4 * Z3; t1 = t3 * t0; Z3 = Z3 + t1
        return (X3 % p, Y3 % p, Z3 % p)

    def dbl(P):
        X, Y, Z = P
        t0 = X * X; t1 = Y * Y; t2 = Z * Z
        t3 = X * Y; t3 = t3 + t3; Z3 = X * Z
        Y3 = b * t2; Y3 = Y3 - 2 * Z3
        Y3 = 3 * Y3
        X3 = t1 - Y3; Y3 = t1 + Y3
        Y3 = X3 * Y3; X3 = X3 * t3
        t2 = 3 * t2; Z3 = b * Z3
        Z3 = 2 * Z3 - t2
        Z3 = 3 * Z3 - 3 * t0
        t0 = 3 * t0 - t2
        t0 = t0 * Z3; Y3 = Y3 + t0
        t0 = Y * Z; t0 = t0 + t0; Z3 = t0 * Z3
        X3 = X3 - Z3; Z3 = t0 * t1; Z3 = 4 * Z3
        return (X3 % p, Y3 % p, Z3 % p)

    def aff(P):
        X, Y, Z = P
        if Z % p == 0:
            return None
        zi = pow(Z, -1, p)
        return (X * zi % p, Y * zi % p)

    def proj(A, z):
        return (0, 1, 0) if A is None else (A[0] * z % p, A[1] * z % p, z)

    G = (c.gx, c.gy)
    rnd = random.Random(7)
    pts = [None, G, c.mul(2, G), c.mul(c.n - 1, G)] + [c.mul(rnd.randrange(1, c.n), G) for _ in range(4)]
    for A in pts:
        assert aff(dbl(proj(A, rnd.randrange(1, p)))) == c.add(A, A)
        for B in pts:
            want = c.add(A, B)
            assert aff(add(proj(A, rnd.randrange(1, p)), proj(B, rnd.randrange(1, p)))) == want
            if B is not None:
                assert aff(madd(proj(A, rnd.randrange(1, p)), B)) == want


def emit(name, vals, per_line=6):
    out = [f"static const uint32_t {name}[{len(vals)}] = {{"]
    for i in range(0, len(vals), per_line):
        out.append("\t" + " ".join(f"0x{v:08x}," for v in vals[i:i + per_line]))
    out.append("};")
    return "\n".join(out)


def emit_bytes(name, v, n):
    bs = v.to_bytes(n, "big")
    out = [f"static const uint8_t {name}[{n}] = {{"]
    for i in range(0, n, 12):
        out.append("\t" + " ".join(f"0x{x:02x}," for x in bs[i:i + 12]))
    out.append("};")
    return "\n".join(out)


def main():
    print("/*\n * ec_tables.h: GENERATED by ec_tables_gen.py (same directory); do not edit.\n"
          " * Constants for ec_curves.c in the limb form of ec_field_ct.c, little-endian\n"
          " * limbs. Points are affine (x, y), both in Montgomery form (times R = 2^(w*nl)).\n */")
    for name, prm in CURVES.items():
        c = Curve(name, **prm)
        rcb_check(c)
        p, n, L = c.p, c.n, c.bits // 8
        R = 2 ** (c.w * c.nl)
        G = (c.gx, c.gy)
        print(f"\n/* ---- {name}: radix 2^{c.w}, {c.nl} limbs ---- */")
        print(emit(f"{name}_P", c.limbs(p)))
        # 4p with every limb below the top one raised to >= 2^w - 1 by a
        # borrow from the limb above (same value): a - b + P4 is then
        # nonnegative limb by limb for normalized b (ec_field_ct.c g_sub).
        p4 = c.limbs(4 * p)
        for i in range(c.nl - 1):
            p4[i] += 2 ** c.w
            p4[i + 1] -= 1
        assert sum(v << (c.w * i) for i, v in enumerate(p4)) == 4 * p
        assert all(v >= 2 ** c.w - 1 for v in p4[:-1]) and p4[-1] > 2 ** (c.bits - c.w * (c.nl - 1) + 1)
        print(emit(f"{name}_P4", p4))
        print(emit(f"{name}_RR", c.limbs(R * R % p)))
        print(emit(f"{name}_ONE", c.limbs(R % p)))
        print(emit(f"{name}_B", c.limbs(c.mont(c.b))))
        print(emit(f"{name}_N", c.limbs(n)))
        print(emit(f"{name}_NRR", c.limbs(R * R % n)))
        print(f"#define {name}_N0 0x{(-pow(n, -1, 2**c.w)) % 2**c.w:08x}u")
        print(emit_bytes(f"{name}_P_BYTES", p, L))
        print(emit_bytes(f"{name}_N_BYTES", n, L))
        print(emit_bytes(f"{name}_P_MINUS_2", p - 2, L))
        print(emit_bytes(f"{name}_P_SQRT_EXP", (p + 1) // 4, L))
        print(emit_bytes(f"{name}_N_MINUS_2", n - 2, L))
        # Comb: d = ceil(bits / TEETH) positions per tooth, e = d / BLOCKS.
        d = -(-c.bits // TEETH)
        e = d // BLOCKS
        assert e * BLOCKS == d
        comb = []
        for blk in range(BLOCKS):
            for j in range(1, 2 ** TEETH):
                k = sum(2 ** (u * d + blk * e) for u in range(TEETH) if j >> u & 1)
                P = c.mul(k, G)
                comb += c.limbs(c.mont(P[0])) + c.limbs(c.mont(P[1]))
        print(f"#define {name}_COMB_D {d}\n#define {name}_COMB_E {e}")
        print(emit(f"{name}_COMB", comb))
        odd = []
        for i in range(2 ** (WNAF_G - 2)):
            P = c.mul(2 * i + 1, G)
            odd += c.limbs(c.mont(P[0])) + c.limbs(c.mont(P[1]))
        print(emit(f"{name}_GODD", odd))


if __name__ == "__main__":
    main()
