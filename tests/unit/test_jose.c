/*
 * test_jose.c: unit tests for lib/jose/jose.c, lib/jose/jwk.c and lib/jose/jws.c
 * against the published vectors (RFC 7515 appendix A, RFC 7520 §4.1 to
 * §4.4, RFC 7638 §3.1, RFC 8037 appendix A), against keys and
 * signatures made by python3-jwcrypto (tests/data/jose/jwcrypto.json,
 * see gen.py there) and by the openssl CLI (tests/data/jose/ PEM files, see
 * pem.sh), and for every refusal jose.h promises.
 *
 * lib/jose/jws.c is included for its static DER <-> R || S conversion.
 * Data files are read relative to the top of the tree, where make runs.
 *
 * With JOSE_CROSS_OUT set, the signatures this implementation makes
 * with the jwcrypto keys are written there as "alg<TAB>jws" lines, for
 * "tests/data/jose/gen.py check FILE" to verify with jwcrypto.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/jose/jws.c"
#include "base/crypto.h"
#include "base/err.h"
#include "jose/jose.h"
#include "t.h"

#define DATA	"tests/data/jose/"

/* Every algorithm, for the loops. */
static const char *const all_algs[] = {
	"HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
};
#define NALGS	(sizeof(all_algs) / sizeof(all_algs[0]))

/* The keys and signatures of the RFCs, as published. */
static const char rfc7515_a1_key[] =
    "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMko"
    "qQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9"
    "CAow\"}";

static const char rfc7515_a2_key[] =
    "{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAk"
    "d_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPM"
    "EzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b"
    "32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5"
    "rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
    "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-D"
    "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h"
    "4FRWyuXpoQ\",\"e\":\"AQAB\",\"d\":\"Eq5xpGnNCivDflJsRQBXHx"
    "1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgv"
    "fTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoV"
    "En2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzj"
    "kn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2"
    "QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_j"
    "Tj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjncz"
    "T0QU91p1DhOVRuOopznQ\",\"p\":\"4BzEEOtIpmVdVEZNCqS7baC"
    "4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3K"
    "hooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yL"
    "c1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc\","
    "\"q\":\"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCo"
    "HqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_Y"
    "wD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11"
    "BKBBypeeF6689rjcJIDEz9RWdc\",\"dp\":\"BwKfV3Akq5_MFZDF"
    "ZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e"
    "9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb3"
    "4MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQ"
    "AdYo0\",\"dq\":\"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZj"
    "eeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9"
    "U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS"
    "1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU\",\"qi\":\"IYd7DHOh"
    "rWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy"
    "26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnb"
    "JtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK"
    "0JKSHuLFkuQ3U\"}";

static const char rfc7515_a3_key[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9t"
    "Le1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue6"
    "59LNpXW6pCyStikYjKIWI5a0\",\"d\":\"jpsQnnGQmL-YBIffH11"
    "36cspYG6-0iY7X1fCE9-E9LI\"}";

static const char rfc7515_a4_key[] =
    "{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"AekpBQ8ST8a8VcfVOTN"
    "l353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jS"
    "fS9tsz4qUxcWceqwQGk\",\"y\":\"ADSmRA43Z1DSNx_RvcLI87cd"
    "L07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh"
    "9ubmf63e3kyMj2\",\"d\":\"AY5pb7A0UFiB3RELSD64fTLOSV_ja"
    "zdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53v"
    "M9mE15j2C\"}";

static const char rfc7520_ec_key[] =
    "{\"kty\":\"EC\",\"kid\":\"bilbo.baggins@hobbiton.example\""
    ",\"use\":\"sig\",\"crv\":\"P-521\",\"x\":\"AHKZLLOsCOzz5cY97e"
    "wNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyek"
    "WF-7ytDyRXYgCF5cj0Kt\",\"y\":\"AdymlHvOiLxXkEhayXQnNCv"
    "DX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbn"
    "X9cwlGfP-HqHZR1\",\"d\":\"AAhRON2r9cqXX1hg-RoI6R1tX5p2"
    "rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLD"
    "YJ_fF3_rJt\"}";

static const char rfc7520_rsa_key[] =
    "{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example"
    "\",\"use\":\"sig\",\"n\":\"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZL"
    "wUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0V"
    "EiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzc"
    "Ee6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe"
    "-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZC"
    "uEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqK"
    "nS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqg"
    "c5gHdrNP5zw\",\"e\":\"AQAB\",\"d\":\"bWUC9B-EFRIo8kpGfh0Zu"
    "yGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsN"
    "RS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh"
    "-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWS"
    "DFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1B"
    "U6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWT"
    "BnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7"
    "gdsPfHPxxjVOcOpBrQzwQ\",\"p\":\"3Slxg_DwTXJcb6095RoXyg"
    "QCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2"
    "TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7I"
    "yEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k\""
    ",\"q\":\"uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cub"
    "k3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8l"
    "HTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-"
    "hdqRxHlSqAZ192zB3pVFJ0s7pFc\",\"dp\":\"B8PVvXkvJrj2L-G"
    "YQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-I"
    "sXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz"
    "0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX"
    "59ehik\",\"dq\":\"CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iB"
    "Zx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYW"
    "ZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyE"
    "kDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8\",\"qi\":\"3PiqvXQ"
    "N0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKC"
    "QsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKD"
    "DhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xm"
    "ujs4qMpPz8aaI4\"}";

static const char rfc7520_hmac_key[] =
    "{\"kty\":\"oct\",\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314"
    "bc7037\",\"use\":\"sig\",\"alg\":\"HS256\",\"k\":\"hJtXIZ2uSN5"
    "kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}";

static const char rfc7638_key[] =
    "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmb"
    "XEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
    "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4H"
    "c5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvz"
    "qY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr"
    "n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2"
    "NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awa"
    "pJzKnqDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-0"
    "4-29\"}";

static const char rfc8037_key[] =
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0"
    "kuwsxERJxWl7MmkZcDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7T"
    "yWQHOg7hcvPapiMlrwIaaPcHURo\"}";

static const char rfc7520_payload_b64[] =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ2"
    "9pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUg"
    "cm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldC"
    "wgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0"
    "IGJlIHN3ZXB0IG9mZiB0by4";

static const char rfc7520_41[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG"
    "9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ"
    "1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gW"
    "W91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24"
    "ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpb"
    "mcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRj"
    "dkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5Nl"
    "KtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wn"
    "B-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746i"
    "YTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadn"
    "HXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb"
    "6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ"
    "41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";

static const char rfc7520_42[] =
    "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG"
    "9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ"
    "1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gW"
    "W91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24"
    "ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpb"
    "mcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.cu2"
    "2eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBz"
    "k1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo"
    "6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsd"
    "iNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTr"
    "xUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n"
    "6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTO"
    "cbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw";

static const char rfc7520_43[] =
    "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG"
    "9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ"
    "1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gW"
    "W91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24"
    "ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpb"
    "mcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.AE_"
    "R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluU"
    "IIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDD"
    "yYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbE"
    "PX6sFY8OcGDqoRuBomu9xQ2";

static const char rfc7520_44[] =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItND"
    "cxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2V"
    "yb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZ"
    "G9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHl"
    "vdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vI"
    "Gtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB"
    "0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

/* RFC 7515 A.1 to A.4 in the compact serialisation. */
static const char rfc7515_a1_jws[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

static const char rfc7515_a2_jws[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";

static const char rfc7515_a3_jws[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
    "pmWQxfKTUJqPP3-Kg6NU1Q";

static const char rfc7515_a4_jws[] =
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZq"
    "wqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
    "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";

/* RFC 8037 A.4: Ed25519 over "Example of Ed25519 signing". */
static const char rfc8037_a4_jws[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5B"
    "hVsPt9g7sVvpAr_MuM0KAg";

/*
 * Import a JWK from JSON text.  On failure, print the error and return
 * NULL, so that the CHECK at the call site names the line.
 */
static struct ojwk *
imp(const char *json, int need_private)
{
	struct oerr	 e;
	struct ojwk	*k;

	oerr_clear(&e);
	if ((k = ojwk_import_str(json, strlen(json), need_private, &e)) ==
	    NULL)
		fprintf(stderr, "import: %s\n", e.description);
	return k;
}

/*
 * Does importing json fail with a 400 whose description contains want?
 * Prints what happened when not.
 */
static int
imp_fails(const char *json, int need_private, const char *want)
{
	struct oerr	 e;
	struct ojwk	*k;

	oerr_clear(&e);
	k = ojwk_import_str(json, strlen(json), need_private, &e);
	if (k != NULL) {
		fprintf(stderr, "import of %.60s... succeeded\n", json);
		ojwk_free(k);
		return 0;
	}
	if (e.status != 400 || strstr(e.description, want) == NULL) {
		fprintf(stderr, "import: %d \"%s\", wanted \"%s\"\n",
		    e.status, e.description, want);
		return 0;
	}
	return 1;
}

/* A public copy of key (export without private members, import). */
static struct ojwk *
pub_of(const struct ojwk *key)
{
	struct oerr	 e;
	struct ojwk	*p;
	json_t		*j;

	oerr_clear(&e);
	if ((j = ojwk_export(key, 0, &e)) == NULL)
		return NULL;
	p = ojwk_import(j, 0, &e);
	json_decref(j);
	return p;
}

/*
 * Verify jws with the one key, allow-list algs (may be NULL).  Returns
 * the result, or NULL with e set.
 */
static struct ojws *
ver(const char *jws, struct ojwk *key, const char *const *algs,
    struct oerr *e)
{
	oerr_clear(e);
	return ojws_verify(jws, strlen(jws), &key, 1, algs, e);
}

/*
 * Does verifying jws with key (and algs) fail with a 400 whose
 * description contains want?
 */
static int
ver_fails(const char *jws, size_t len, struct ojwk *const *keys,
    size_t nkeys, const char *const *algs, const char *want)
{
	struct oerr	 e;
	struct ojws	*r;

	oerr_clear(&e);
	if ((r = ojws_verify(jws, len, keys, nkeys, algs, &e)) != NULL) {
		fprintf(stderr, "verify of %.40s... succeeded\n", jws);
		ojws_free(r);
		return 0;
	}
	if (e.status != 400 || strstr(e.description, want) == NULL) {
		fprintf(stderr, "verify: %d \"%s\", wanted \"%s\"\n",
		    e.status, e.description, want);
		return 0;
	}
	return 1;
}

/* Same, for a NUL-terminated jws and one key. */
static int
ver_fails1(const char *jws, struct ojwk *key, const char *want)
{
	return ver_fails(jws, strlen(jws), &key, 1, NULL, want);
}

/* Sign with key and alg; prints the error on failure. */
static char *
sign(const struct ojwk *key, const char *alg, const json_t *extra,
    const char *payload, size_t len)
{
	struct oerr	 e;
	char		*s;

	oerr_clear(&e);
	if ((s = ojws_sign(key, alg, extra, payload, len, &e)) == NULL)
		fprintf(stderr, "sign: %s\n", e.description);
	return s;
}

/* A new base64url string of n bytes. */
static char *
b64(const void *p, size_t n)
{
	char	*s;

	s = malloc(n * 4 / 3 + 4);
	if (s == NULL ||
	    !ocrypto_b64url_encode(s, n * 4 / 3 + 4, NULL, p, n))
		abort();
	return s;
}

/* Decode base64url s into out (outsz bytes); returns the length. */
static size_t
unb64(const char *s, unsigned char *out, size_t outsz)
{
	size_t	 n;

	if (!ocrypto_b64url_decode(out, outsz, &n, s, strlen(s)))
		abort();
	return n;
}

/* A new string: a, then b, then c. */
static char *
cat3(const char *a, const char *b, const char *c)
{
	char	*s;
	size_t	 la = strlen(a), lb = strlen(b), lc = strlen(c);

	if ((s = malloc(la + lb + lc + 1)) == NULL)
		abort();
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/*
 * A compact JWS with the header text hdr (any bytes, for the refusal
 * tests) and payload, MACed with HS256/384/512 (md) under k.
 */
static char *
hmac_jws(const char *hdr, const char *payload, enum ocrypto_md md,
    const unsigned char *k, size_t klen)
{
	unsigned char	 mac[64];
	char		*h, *p, *in, *in2, *s, *out;

	h = b64(hdr, strlen(hdr));
	p = b64(payload, strlen(payload));
	in = cat3(h, ".", p);
	if (!ocrypto_hmac(md, k, klen, in, strlen(in), mac))
		abort();
	s = b64(mac, ocrypto_md_len(md));
	in2 = cat3(in, ".", "");
	out = cat3(in2, s, "");
	free(h);
	free(p);
	free(in);
	free(in2);
	free(s);
	return out;
}

/* jws with its signature segment replaced by the n bytes sig. */
static char *
resign(const char *jws, const unsigned char *sig, size_t n)
{
	const char	*dot = strrchr(jws, '.');
	char		*pre, *s, *out;

	pre = strndup(jws, (size_t)(dot - jws) + 1);
	s = b64(sig, n);
	out = cat3(pre, s, "");
	free(pre);
	free(s);
	return out;
}

/* The raw signature of jws into sig; returns its length. */
static size_t
sig_of(const char *jws, unsigned char *sig, size_t sz)
{
	return unb64(strrchr(jws, '.') + 1, sig, sz);
}

/*
 * Read the file DATA name into a new NUL-terminated buffer, or NULL
 * (with a message) if it cannot be read.
 */
static char *
slurp(const char *name, size_t *lenp)
{
	char	 path[256], *buf = NULL;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), DATA "%s", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s (run from the top of the tree)\n",
		    path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		if (lenp != NULL)
			*lenp = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Import the PEM file name; prints the error on failure. */
static struct ojwk *
pem_file(const char *name, int need_private, struct oerr *e)
{
	struct ojwk	*k = NULL;
	char		*pem;
	size_t		 len = 0;

	oerr_clear(e);
	if ((pem = slurp(name, &len)) == NULL)
		return NULL;
	k = ojwk_import_pem(pem, len, need_private, e);
	free(pem);
	return k;
}

/* Do the JWKs a and b have equal exports (include_private as given)? */
static int
same_key(const struct ojwk *a, const struct ojwk *b, int priv)
{
	struct oerr	 e;
	json_t		*ja, *jb;
	int		 rc;

	oerr_clear(&e);
	ja = ojwk_export(a, priv, &e);
	jb = ojwk_export(b, priv, &e);
	rc = ja != NULL && jb != NULL && json_equal(ja, jb);
	json_decref(ja);
	json_decref(jb);
	return rc;
}

/* RFC 7515 A.1: HS256 with a JWT "typ" header and CRLFs in the JSON. */
static void
rfc7515_a1_hs256(void)
{
	static const char *const hs256[] = { "HS256", NULL };
	static const char *const rs256[] = { "RS256", NULL };
	static const char payload[] = "{\"iss\":\"joe\",\r\n"
	    " \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
	struct oerr	 e;
	struct ojwk	*k;
	struct ojws	*r;

	CHECK((k = imp(rfc7515_a1_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((r = ver(rfc7515_a1_jws, k, hs256, &e)) != NULL);
	if (r != NULL) {
		CHECK(r->payloadlen == strlen(payload) &&
		    memcmp(r->payload, payload, r->payloadlen) == 0);
		CHECK_STR(json_string_value(json_object_get(r->header,
		    "typ")), "JWT");
		CHECK_STR(r->alg, "HS256");
		CHECK(r->key == k);
	}
	ojws_free(r);
	CHECK(ver(rfc7515_a1_jws, k, rs256, &e) == NULL);
	CHECK(strstr(e.description, "not allowed") != NULL);
	ojwk_free(k);
}

/* RFC 7515 A.2: RS256, which is deterministic: the exact bytes. */
static void
rfc7515_a2_rs256(void)
{
	static const char payload[] = "{\"iss\":\"joe\",\r\n"
	    " \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	char		*s;

	CHECK((k = imp(rfc7515_a2_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((pub = pub_of(k)) != NULL);
	CHECK(!ojwk_has_private(pub) && ojwk_has_private(k));
	CHECK(ojwk_bits(k) == 2048);
	CHECK((r = ver(rfc7515_a2_jws, pub, NULL, &e)) != NULL);
	if (r != NULL)
		CHECK(r->payloadlen == strlen(payload) &&
		    memcmp(r->payload, payload, r->payloadlen) == 0);
	ojws_free(r);
	CHECK((s = sign(k, "RS256", NULL, payload, strlen(payload))) != NULL);
	CHECK_STR(s, rfc7515_a2_jws);
	ojose_free(s);
	/* The public key cannot sign. */
	oerr_clear(&e);
	CHECK(ojws_sign(pub, "RS256", NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "no private key") != NULL);
	ojwk_free(pub);
	ojwk_free(k);
}

/*
 * ECDSA (randomized): verify the RFC's signature, then sign and verify
 * our own, whose length must be twice the curve size.
 */
static void
ecdsa_vector(const char *keyjson, const char *jws, const char *alg,
    size_t size)
{
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	unsigned char	 sig[256];
	char		*s;

	CHECK((k = imp(keyjson, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((pub = pub_of(k)) != NULL);
	CHECK((r = ver(jws, pub, NULL, &e)) != NULL);
	if (r != NULL)
		CHECK_STR(r->alg, alg);
	ojws_free(r);
	/* The private key verifies too. */
	CHECK((r = ver(jws, k, NULL, &e)) != NULL);
	ojws_free(r);
	CHECK((s = sign(k, NULL, NULL, "Payload", 7)) != NULL);
	if (s != NULL) {
		CHECK(sig_of(s, sig, sizeof(sig)) == 2 * size);
		CHECK((r = ver(s, pub, NULL, &e)) != NULL);
		if (r != NULL)
			CHECK(r->payloadlen == 7 &&
			    memcmp(r->payload, "Payload", 7) == 0);
		ojws_free(r);
	}
	ojose_free(s);
	ojwk_free(pub);
	ojwk_free(k);
}

/* RFC 7515 A.3: ES256. */
static void
rfc7515_a3_es256(void)
{
	ecdsa_vector(rfc7515_a3_key, rfc7515_a3_jws, "ES256", 32);
}

/* RFC 7515 A.4: ES512 (P-521, 66-byte coordinates, a leading 0 in S). */
static void
rfc7515_a4_es512(void)
{
	ecdsa_vector(rfc7515_a4_key, rfc7515_a4_jws, "ES512", 66);
}

/*
 * RFC 8037 appendix A: the Ed25519 key (A.1, A.2), its thumbprint
 * (A.3) and the signature of A.4, exact since EdDSA is deterministic.
 */
static void
rfc8037_ed25519(void)
{
	static const char msg[] = "Example of Ed25519 signing";
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	char		 tp[OJWK_THUMBPRINT_LEN + 1], *s;

	CHECK((k = imp(rfc8037_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK_STR(ojwk_kty(k), "OKP");
	CHECK_STR(ojwk_crv(k), "Ed25519");
	CHECK((pub = pub_of(k)) != NULL);
	oerr_clear(&e);
	CHECK(ojwk_thumbprint(k, tp, &e));
	CHECK_STR(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	CHECK(ojwk_thumbprint(pub, tp, &e));
	CHECK_STR(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	CHECK((s = sign(k, "EdDSA", NULL, msg, strlen(msg))) != NULL);
	CHECK_STR(s, rfc8037_a4_jws);
	ojose_free(s);
	CHECK((r = ver(rfc8037_a4_jws, pub, NULL, &e)) != NULL);
	if (r != NULL)
		CHECK(r->payloadlen == strlen(msg) &&
		    memcmp(r->payload, msg, r->payloadlen) == 0);
	ojws_free(r);
	ojwk_free(pub);
	ojwk_free(k);
}

/* RFC 7638 §3.1: the thumbprint of the RSA key of RFC 7517 A.1. */
static void
rfc7638_thumbprint(void)
{
	struct oerr	 e;
	struct ojwk	*k;
	char		 tp[OJWK_THUMBPRINT_LEN + 1];

	CHECK((k = imp(rfc7638_key, 0)) != NULL);
	if (k == NULL)
		return;
	oerr_clear(&e);
	CHECK(ojwk_thumbprint(k, tp, &e));
	CHECK_STR(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	CHECK(strlen(tp) == OJWK_THUMBPRINT_LEN);
	/* kid, alg and use are not in the thumbprint... */
	CHECK_STR(ojwk_kid(k), "2011-04-29");
	CHECK(ojwk_set_kid(k, "other", &e) && ojwk_set_use(k, "sig", &e));
	CHECK(ojwk_thumbprint(k, tp, &e));
	CHECK_STR(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	/* ...and a NULL kid means the thumbprint. */
	CHECK(ojwk_set_kid(k, NULL, &e));
	CHECK_STR(ojwk_kid(k), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	ojwk_free(k);
}

/* The payload of the RFC 7520 §4 examples, decoded. */
static size_t
rfc7520_payload(unsigned char *buf, size_t sz)
{
	return unb64(rfc7520_payload_b64, buf, sz);
}

/* RFC 7520 §4.1: RS256 with a kid, exact bytes. */
static void
rfc7520_rs256(void)
{
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	unsigned char	 pl[512];
	size_t		 n;
	char		*s;

	n = rfc7520_payload(pl, sizeof(pl));
	CHECK((k = imp(rfc7520_rsa_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((pub = pub_of(k)) != NULL);
	CHECK_STR(ojwk_kid(pub), "bilbo.baggins@hobbiton.example");
	CHECK_STR(ojwk_use(pub), "sig");
	CHECK((s = sign(k, "RS256", NULL, (char *)pl, n)) != NULL);
	CHECK_STR(s, rfc7520_41);
	ojose_free(s);
	CHECK((r = ver(rfc7520_41, pub, NULL, &e)) != NULL);
	if (r != NULL) {
		CHECK(r->payloadlen == n &&
		    memcmp(r->payload, pl, n) == 0);
		CHECK_STR(json_string_value(json_object_get(r->header,
		    "kid")), "bilbo.baggins@hobbiton.example");
	}
	ojws_free(r);
	ojwk_free(pub);
	ojwk_free(k);
}

/* RFC 7520 §4.2: PS384 (randomized): verify, and round-trip our own. */
static void
rfc7520_ps384(void)
{
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	unsigned char	 pl[512];
	size_t		 n;
	char		*s;

	n = rfc7520_payload(pl, sizeof(pl));
	CHECK((k = imp(rfc7520_rsa_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((pub = pub_of(k)) != NULL);
	CHECK((r = ver(rfc7520_42, pub, NULL, &e)) != NULL);
	if (r != NULL) {
		CHECK_STR(r->alg, "PS384");
		CHECK(r->payloadlen == n && memcmp(r->payload, pl, n) == 0);
	}
	ojws_free(r);
	CHECK((s = sign(k, "PS384", NULL, (char *)pl, n)) != NULL);
	if (s != NULL) {
		CHECK((r = ver(s, pub, NULL, &e)) != NULL);
		ojws_free(r);
		/* Same header, but PSS is randomized. */
		CHECK(strncmp(s, rfc7520_42, strchr(s, '.') - s) == 0);
		CHECK(strcmp(s, rfc7520_42) != 0);
	}
	ojose_free(s);
	/* A PS384 signature is not an RS384 one. */
	{
		static const char h[] = "{\"alg\":\"RS384\",\"kid\":"
		    "\"bilbo.baggins@hobbiton.example\"}";
		char	*hb, *t;

		hb = b64(h, strlen(h));
		t = cat3(hb, strchr(rfc7520_42, '.'), "");
		CHECK(ver_fails1(t, pub, "signature is not valid"));
		free(t);
		free(hb);
	}
	ojwk_free(pub);
	ojwk_free(k);
}

/* RFC 7520 §4.3: ES512 with a kid: verify, and round-trip our own. */
static void
rfc7520_es512(void)
{
	struct oerr	 e;
	struct ojwk	*k, *pub;
	struct ojws	*r;
	unsigned char	 pl[512];
	size_t		 n;
	char		*s;

	n = rfc7520_payload(pl, sizeof(pl));
	CHECK((k = imp(rfc7520_ec_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK((pub = pub_of(k)) != NULL);
	CHECK((r = ver(rfc7520_43, pub, NULL, &e)) != NULL);
	if (r != NULL)
		CHECK(r->payloadlen == n && memcmp(r->payload, pl, n) == 0);
	ojws_free(r);
	CHECK((s = sign(k, NULL, NULL, (char *)pl, n)) != NULL);
	if (s != NULL) {
		CHECK(strncmp(s, rfc7520_43, strchr(s, '.') - s) == 0);
		CHECK((r = ver(s, pub, NULL, &e)) != NULL);
		ojws_free(r);
	}
	ojose_free(s);
	ojwk_free(pub);
	ojwk_free(k);
}

/* RFC 7520 §4.4: HS256 with a kid, exact bytes. */
static void
rfc7520_hs256(void)
{
	struct oerr	 e;
	struct ojwk	*k;
	struct ojws	*r;
	unsigned char	 pl[512];
	size_t		 n;
	char		*s;

	n = rfc7520_payload(pl, sizeof(pl));
	CHECK((k = imp(rfc7520_hmac_key, 1)) != NULL);
	if (k == NULL)
		return;
	CHECK_STR(ojwk_alg(k), "HS256");
	CHECK((s = sign(k, NULL, NULL, (char *)pl, n)) != NULL);
	CHECK_STR(s, rfc7520_44);
	ojose_free(s);
	CHECK((r = ver(rfc7520_44, k, NULL, &e)) != NULL);
	if (r != NULL)
		CHECK(r->payloadlen == n && memcmp(r->payload, pl, n) == 0);
	ojws_free(r);
	/* The key's alg is HS256: HS384 is refused for it. */
	oerr_clear(&e);
	CHECK(ojws_sign(k, "HS384", NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "has alg 'HS256', not 'HS384'") != NULL);
	ojwk_free(k);
}

/*
 * Every algorithm, both ways: a generated key signs and its public copy
 * (export, import) verifies; the re-imported private copy signs and the
 * generated key verifies.  The extra header member comes through.  (An
 * oct key has no public copy; its private copy stands in.)
 */
static void
roundtrip_all(void)
{
	static const char payload[] = "{\"sub\":\"alice\"}";
	struct oerr	 e;
	struct ojwk	*k, *pub, *priv;
	struct ojws	*r;
	json_t		*extra, *j;
	const char	*only[2] = { NULL, NULL };
	char		*s, *s2;
	size_t		 i;

	extra = json_pack("{s:s}", "typ", "JWT");
	for (i = 0; i < NALGS; i++) {
		oerr_clear(&e);
		k = ojwk_generate(all_algs[i], 0, NULL, "sig", &e);
		CHECK(k != NULL);
		if (k == NULL) {
			fprintf(stderr, "%s: %s\n", all_algs[i],
			    e.description);
			continue;
		}
		only[0] = all_algs[i];
		CHECK_STR(ojwk_alg(k), all_algs[i]);
		CHECK(ojwk_has_private(k));
		CHECK((j = ojwk_export(k, 1, &e)) != NULL);
		priv = ojwk_import(j, 1, &e);
		CHECK(priv != NULL && same_key(k, priv, 1));
		if (strncmp(all_algs[i], "HS", 2) == 0)
			pub = ojwk_import(j, 0, &e);
		else
			pub = pub_of(k);
		json_decref(j);
		CHECK(pub != NULL);

		s = sign(k, NULL, extra, payload, strlen(payload));
		CHECK(s != NULL);
		if (s != NULL && pub != NULL) {
			CHECK((r = ver(s, pub, only, &e)) != NULL);
			if (r != NULL) {
				CHECK_STR(r->alg, all_algs[i]);
				CHECK(r->payloadlen == strlen(payload) &&
				    memcmp(r->payload, payload,
				    r->payloadlen) == 0);
				CHECK_STR(json_string_value(json_object_get(
				    r->header, "typ")), "JWT");
				CHECK_STR(json_string_value(json_object_get(
				    r->header, "kid")), ojwk_kid(k));
				/* alg first, then kid, then typ */
				CHECK(strcmp(json_object_iter_key(
				    json_object_iter(r->header)), "alg") == 0);
			}
			ojws_free(r);
		}
		s2 = priv != NULL ? sign(priv, all_algs[i], NULL, "", 0) :
		    NULL;
		CHECK(s2 != NULL);
		if (s2 != NULL) {
			CHECK((r = ver(s2, k, NULL, &e)) != NULL);
			if (r != NULL)
				CHECK(r->payloadlen == 0 &&
				    r->payload[0] == '\0');
			ojws_free(r);
		}
		ojose_free(s);
		ojose_free(s2);
		ojwk_free(priv);
		ojwk_free(pub);
		ojwk_free(k);
	}
	json_decref(extra);
}

/* The RFC 7515 A.1 HMAC key's bytes. */
static size_t
a1_key(unsigned char *k, size_t sz)
{
	return unb64("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH"
	    "75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow", k, sz);
}

/* Structural refusals: segments, base64url, the header, alg, crit. */
static void
jws_refuse_format(void)
{
	static const char *const with_none[] = { "HS256", "none", NULL };
	struct ojwk	*k;
	unsigned char	 kb[64];
	size_t		 kl;
	char		*s, *t;

	kl = a1_key(kb, sizeof(kb));
	CHECK((k = imp(rfc7515_a1_key, 0)) != NULL);
	if (k == NULL)
		return;
	/* A correct one, to show the crafting is right. */
	s = hmac_jws("{\"alg\":\"HS256\"}", "{}", OCRYPTO_SHA256, kb, kl);
	{
		struct oerr	 e;
		struct ojws	*r;

		CHECK((r = ver(s, k, NULL, &e)) != NULL);
		ojws_free(r);
	}

	/* RFC 7515 §7.1: exactly three segments. */
	CHECK(ver_fails1("", k, "exactly three segments"));
	CHECK(ver_fails1("a.b", k, "exactly three segments"));
	CHECK(ver_fails1("a.b.c.d", k, "exactly three segments"));
	t = cat3(s, ".", "");
	CHECK(ver_fails1(t, k, "exactly three segments"));
	free(t);
	/* Compact JSON serialisation is not compact. */
	CHECK(ver_fails1("{\"payload\":\"e30\"}", k, "three segments"));

	/* Strict base64url in every segment. */
	t = cat3("eyJhbGciOiJIUzI1NiJ9=", strchr(s, '.'), "");
	CHECK(ver_fails1(t, k, "header is not valid base64url"));
	free(t);
	t = cat3(" ", s, "");
	CHECK(ver_fails1(t, k, "header is not valid base64url"));
	free(t);
	t = strdup(s);
	*(strchr(t, '.') + 1) = '+';
	CHECK(ver_fails1(t, k, "payload is not valid base64url"));
	free(t);
	t = cat3(s, "\n", "");
	CHECK(ver_fails1(t, k, "signature is not valid base64url"));
	free(t);
	/* A.1's last character 'k' with its unused bits set: 'l'. */
	t = strdup(rfc7515_a1_jws);
	t[strlen(t) - 1] = 'l';
	CHECK(ver_fails1(t, k, "signature is not valid base64url"));
	free(t);
	/* An embedded NUL ends nothing: the length is what counts. */
	CHECK(ver_fails(s, strlen(s) + 1, &k, 1, NULL,
	    "signature is not valid base64url"));
	free(s);

	/* The header: a JSON object, no duplicates. */
	s = hmac_jws("[\"HS256\"]", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "must be a JSON object"));
	free(s);
	s = hmac_jws("alg=HS256", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "header is not valid JSON"));
	free(s);
	s = hmac_jws("", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "header is not valid JSON"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", "{}",
	    OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "duplicate"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\"} {}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "header is not valid JSON"));
	free(s);

	/* alg: present, a string, supported, never "none". */
	s = hmac_jws("{\"typ\":\"JWT\"}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "has no 'alg'"));
	free(s);
	s = hmac_jws("{\"alg\":256}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "'alg' must be a string"));
	free(s);
	s = hmac_jws("{\"alg\":\"none\"}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "'none' is never accepted"));
	CHECK(ver_fails(s, strlen(s), &k, 1, with_none,
	    "'none' is never accepted"));
	free(s);
	/* RFC 7515 A.5, an unsecured JWS. */
	CHECK(ver_fails1("eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOj"
	    "EzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
	    "fQ.", k, "has no signature"));
	s = hmac_jws("{\"alg\":\"hs256\"}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "alg 'hs256' is not supported"));
	free(s);
	/* jansson refuses \u0000 unless asked (JSON_ALLOW_NUL). */
	s = hmac_jws("{\"alg\":\"HS256\\u0000\"}", "{}", OCRYPTO_SHA256,
	    kb, kl);
	CHECK(ver_fails1(s, k, "header is not valid JSON"));
	free(s);
	s = hmac_jws("{\"alg\":\"RSA-OAEP\"}", "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "is not supported"));
	free(s);

	/* RFC 7515 §4.1.11: crit, which lists nothing we understand. */
	s = hmac_jws("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}",
	    "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "lists 'exp' in 'crit'"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}",
	    "{}", OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "lists 'b64' in 'crit'"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\",\"crit\":[]}", "{}", OCRYPTO_SHA256,
	    kb, kl);
	CHECK(ver_fails1(s, k, "non-empty array"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\",\"crit\":\"exp\"}", "{}",
	    OCRYPTO_SHA256, kb, kl);
	CHECK(ver_fails1(s, k, "non-empty array"));
	free(s);
	s = hmac_jws("{\"alg\":\"HS256\",\"crit\":[1]}", "{}", OCRYPTO_SHA256,
	    kb, kl);
	CHECK(ver_fails1(s, k, "non-empty array"));
	free(s);

	/* kid must be a string. */
	s = hmac_jws("{\"alg\":\"HS256\",\"kid\":7}", "{}", OCRYPTO_SHA256,
	    kb, kl);
	CHECK(ver_fails1(s, k, "'kid' must be a string"));
	free(s);

	/* Too long, before anything else. */
	t = malloc(OJWS_MAX + 2);
	memset(t, 'A', OJWS_MAX + 1);
	t[10] = t[20] = '.';
	t[OJWS_MAX + 1] = '\0';
	CHECK(ver_fails1(t, k, "longer than"));
	free(t);
	CHECK(ver_fails(NULL, 0, &k, 1, NULL, "missing"));
	ojwk_free(k);
}

/*
 * Key refusals: the alg must be allowed, fit the key's kty, crv, alg
 * and use; HMAC never with an asymmetric key; the kid selects.
 */
static void
jws_refuse_keys(void)
{
	static const char *const rs_only[] = { "RS256", "RS384", NULL };
	static const char *const hs_rs[] = { "HS256", "RS256", NULL };
	struct oerr	 e;
	struct ojwk	*hk, *hk384, *rk, *rpub, *ek, *enck, *keys[3];
	struct ojws	*r;
	size_t		 pemlen;
	char		*s, *pem;
	json_t		*j;

	hk = imp(rfc7515_a1_key, 0);
	hk384 = imp("{\"kty\":\"oct\",\"alg\":\"HS384\",\"k\":\"AyM1SysPpbyD"
	    "fgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTw"
	    "jAzZr1Z9CAow\"}", 0);
	rk = imp(rfc7515_a2_key, 1);
	rpub = rk != NULL ? pub_of(rk) : NULL;
	ek = imp(rfc7515_a3_key, 0);
	CHECK(hk != NULL && hk384 != NULL && rk != NULL && rpub != NULL &&
	    ek != NULL);
	if (hk == NULL || hk384 == NULL || rpub == NULL || ek == NULL)
		goto out;

	/* The caller's allow-list. */
	CHECK(ver_fails(rfc7515_a1_jws, strlen(rfc7515_a1_jws), &hk, 1,
	    rs_only, "alg 'HS256' is not allowed here"));
	/* The key's alg. */
	CHECK(ver_fails1(rfc7515_a1_jws, hk384,
	    "No key can verify the JWS alg 'HS256'"));
	CHECK(!ojwk_fits(hk384, "HS256") && ojwk_fits(hk384, "HS384"));
	/* The kty: an RS256 JWS with an EC or oct key, and back. */
	CHECK(ver_fails1(rfc7515_a2_jws, ek, "No key can verify"));
	CHECK(ver_fails1(rfc7515_a2_jws, hk, "No key can verify"));
	CHECK(ver_fails1(rfc7515_a3_jws, rpub, "No key can verify"));
	/* The crv: ES512 with a P-256 key. */
	CHECK(ver_fails1(rfc7515_a4_jws, ek, "No key can verify"));
	CHECK(!ojwk_fits(ek, "ES384") && ojwk_fits(ek, "ES256"));
	/* use "enc" keys never verify. */
	j = json_loads(rfc7515_a3_key, 0, NULL);
	json_object_set_new(j, "use", json_string("enc"));
	oerr_clear(&e);
	enck = ojwk_import(j, 0, &e);
	json_decref(j);
	CHECK(enck != NULL);
	if (enck != NULL)
		CHECK(ver_fails1(rfc7515_a3_jws, enck, "No key can verify"));
	ojwk_free(enck);
	/* No keys at all. */
	CHECK(ver_fails(rfc7515_a1_jws, strlen(rfc7515_a1_jws), NULL, 0,
	    NULL, "No key can verify"));

	/*
	 * Key confusion (RFC 8725 §2.1): an HS256 JWS whose MAC key is the
	 * RSA public key, as PEM and as the bytes of n.  The RSA key must
	 * never be used as an HMAC secret, whatever the allow-list says.
	 */
	oerr_clear(&e);
	pem = ojwk_export_pem(rpub, 0, &e);
	CHECK(pem != NULL);
	if (pem != NULL) {
		pemlen = strlen(pem);
		s = hmac_jws("{\"alg\":\"HS256\"}", "{\"sub\":\"admin\"}",
		    OCRYPTO_SHA256, (unsigned char *)pem, pemlen);
		CHECK(ver_fails(s, strlen(s), &rpub, 1, hs_rs,
		    "No key can verify the JWS alg 'HS256'"));
		CHECK(ver_fails1(s, rk, "No key can verify"));
		free(s);
		s = hmac_jws("{\"alg\":\"HS256\",\"kid\":\"x\"}", "{}",
		    OCRYPTO_SHA256, (unsigned char *)pem, pemlen);
		CHECK(ver_fails1(s, rpub, "No key has the JWS kid 'x'"));
		free(s);
	}
	ojose_free(pem);
	/* Nor can an RSA key be given to sign HS256. */
	oerr_clear(&e);
	CHECK(ojws_sign(rk, "HS256", NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "has kty 'RSA' but alg 'HS256'") != NULL);
	/* And an oct key cannot pretend to be RSA. */
	oerr_clear(&e);
	CHECK(ojws_sign(hk, "RS256", NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "has kty 'oct' but alg 'RS256'") != NULL);

	/* Selection by kid among several keys. */
	keys[0] = hk;
	keys[1] = rpub;
	keys[2] = ek;
	CHECK(ojwk_set_kid(rpub, "r", &e) && ojwk_set_kid(ek, "e", &e));
	CHECK(ojwk_set_kid(rk, "r", &e));
	s = sign(rk, "RS256", NULL, "hi", 2);
	CHECK(s != NULL);
	if (s != NULL) {
		oerr_clear(&e);
		r = ojws_verify(s, strlen(s), keys, 3, NULL, &e);
		CHECK(r != NULL && r->key == rpub);
		ojws_free(r);
		/* Same signature, but the kid names another key. */
		CHECK(ojwk_set_kid(rpub, "r2", &e));
		CHECK(ver_fails(s, strlen(s), keys, 3, NULL,
		    "No key has the JWS kid 'r'"));
		CHECK(ojwk_set_kid(ek, "r", &e));
		CHECK(ver_fails(s, strlen(s), keys, 3, NULL,
		    "No key can verify"));
	}
	ojose_free(s);
	/* Without a kid, every fitting key is tried. */
	keys[0] = ek;
	keys[1] = hk384;
	keys[2] = hk;
	oerr_clear(&e);
	r = ojws_verify(rfc7515_a1_jws, strlen(rfc7515_a1_jws), keys, 3,
	    NULL, &e);
	CHECK(r != NULL && r->key == hk);
	ojws_free(r);

	/* Signing refusals. */
	j = json_pack("{s:s}", "alg", "none");
	oerr_clear(&e);
	CHECK(ojws_sign(hk, "HS256", j, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "'alg' cannot be set") != NULL);
	json_decref(j);
	j = json_pack("{s:[s]}", "crit", "exp");
	oerr_clear(&e);
	CHECK(ojws_sign(hk, "HS256", j, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "'crit' cannot be set") != NULL);
	json_decref(j);
	j = json_pack("[s]", "typ");
	oerr_clear(&e);
	CHECK(ojws_sign(hk, "HS256", j, "x", 1, &e) == NULL);
	json_decref(j);
	oerr_clear(&e);
	CHECK(ojws_sign(hk, "none", NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "'none' is not supported") != NULL);
	oerr_clear(&e);
	CHECK(ojws_sign(hk, NULL, NULL, "x", 1, &e) == NULL);
	CHECK(strstr(e.description, "no alg") != NULL);
out:
	ojwk_free(hk);
	ojwk_free(hk384);
	ojwk_free(rk);
	ojwk_free(rpub);
	ojwk_free(ek);
}

/* Signature refusals: exact length per alg and key, then validity. */
static void
jws_refuse_signature(void)
{
	struct oerr	 e;
	struct ojwk	*hk, *rk, *ek, *ok;
	struct ojws	*r;
	unsigned char	 sig[600];
	size_t		 n;
	char		*s, *t;

	hk = imp(rfc7515_a1_key, 0);
	rk = imp(rfc7515_a2_key, 0);
	ek = imp(rfc7515_a3_key, 0);
	ok = imp(rfc8037_key, 0);
	CHECK(hk != NULL && rk != NULL && ek != NULL && ok != NULL);
	if (hk == NULL || rk == NULL || ek == NULL || ok == NULL)
		goto out;

	/* HS256: 32 bytes, no truncation, no extension. */
	n = sig_of(rfc7515_a1_jws, sig, sizeof(sig));
	CHECK(n == 32);
	s = resign(rfc7515_a1_jws, sig, 31);
	CHECK(ver_fails1(s, hk, "wrong length for alg 'HS256'"));
	free(s);
	sig[32] = 0;
	s = resign(rfc7515_a1_jws, sig, 33);
	CHECK(ver_fails1(s, hk, "wrong length"));
	free(s);
	sig[0] ^= 1;
	s = resign(rfc7515_a1_jws, sig, 32);
	CHECK(ver_fails1(s, hk, "signature is not valid"));
	free(s);

	/* RS256: the modulus size. */
	n = sig_of(rfc7515_a2_jws, sig, sizeof(sig));
	CHECK(n == 256);
	s = resign(rfc7515_a2_jws, sig, 255);
	CHECK(ver_fails1(s, rk, "wrong length for alg 'RS256'"));
	free(s);
	memmove(sig + 1, sig, 256);
	sig[0] = 0;
	s = resign(rfc7515_a2_jws, sig, 257);
	CHECK(ver_fails1(s, rk, "wrong length"));
	free(s);
	/* A changed payload. */
	t = strdup(rfc7515_a2_jws);
	t[strchr(t, '.') - t + 1] = 'f';
	CHECK(ver_fails1(t, rk, "signature is not valid"));
	free(t);

	/* ES256: exactly 64 bytes, checked before any DER is made. */
	n = sig_of(rfc7515_a3_jws, sig, sizeof(sig));
	CHECK(n == 64);
	s = resign(rfc7515_a3_jws, sig, 63);
	CHECK(ver_fails1(s, ek, "wrong length for alg 'ES256'"));
	free(s);
	sig[64] = 0;
	s = resign(rfc7515_a3_jws, sig, 65);
	CHECK(ver_fails1(s, ek, "wrong length"));
	free(s);
	/* A DER signature where R || S belongs. */
	oerr_clear(&e);
	{
		unsigned char	 der[DER_MAX];
		size_t		 dl;

		dl = rs_to_der(sig, 32, der);
		s = resign(rfc7515_a3_jws, der, dl);
		CHECK(ver_fails1(s, ek, "wrong length"));
		free(s);
	}
	sig[40] ^= 0x10;
	s = resign(rfc7515_a3_jws, sig, 64);
	CHECK(ver_fails1(s, ek, "signature is not valid"));
	free(s);
	/* R = 0 or S = 0 never verifies. */
	memset(sig, 0, 32);
	s = resign(rfc7515_a3_jws, sig, 64);
	CHECK(ver_fails1(s, ek, "signature is not valid"));
	free(s);
	memset(sig, 0, 64);
	s = resign(rfc7515_a3_jws, sig, 64);
	CHECK(ver_fails1(s, ek, "signature is not valid"));
	free(s);

	/* EdDSA: 64 bytes. */
	n = sig_of(rfc8037_a4_jws, sig, sizeof(sig));
	CHECK(n == 64);
	s = resign(rfc8037_a4_jws, sig, 63);
	CHECK(ver_fails1(s, ok, "wrong length for alg 'EdDSA'"));
	free(s);
	sig[63] ^= 0x01;
	s = resign(rfc8037_a4_jws, sig, 64);
	CHECK(ver_fails1(s, ok, "signature is not valid"));
	free(s);
	CHECK((r = ver(rfc8037_a4_jws, ok, NULL, &e)) != NULL);
	ojws_free(r);
out:
	ojwk_free(hk);
	ojwk_free(rk);
	ojwk_free(ek);
	ojwk_free(ok);
}

/* The DER <-> R || S conversion (RFC 7518 §3.4, X.690 §8.3). */
static void
ecdsa_der(void)
{
	unsigned char	 rs[132], back[132], der[DER_MAX];
	size_t		 n;
	static const unsigned char neg[] = { 0x30, 0x06, 0x02, 0x01, 0x80,
	    0x02, 0x01, 0x01 };
	static const unsigned char nonmin[] = { 0x30, 0x07, 0x02, 0x02, 0x00,
	    0x01, 0x02, 0x01, 0x01 };
	static const unsigned char trail[] = { 0x30, 0x06, 0x02, 0x01, 0x01,
	    0x02, 0x01, 0x01, 0x00 };
	static const unsigned char longform[] = { 0x30, 0x81, 0x06, 0x02,
	    0x01, 0x01, 0x02, 0x01, 0x01 };
	static const unsigned char ok[] = { 0x30, 0x06, 0x02, 0x01, 0x01,
	    0x02, 0x01, 0x7f };
	static const unsigned char zerolen[] = { 0x30, 0x05, 0x02, 0x00,
	    0x02, 0x01, 0x01 };
	static const unsigned char badtag[] = { 0x31, 0x06, 0x02, 0x01, 0x01,
	    0x02, 0x01, 0x01 };

	/* R with leading zeros, S with its top bit set. */
	memset(rs, 0, sizeof(rs));
	rs[31] = 0x01;
	rs[32] = 0x80;
	n = rs_to_der(rs, 32, der);
	CHECK(n == 2 + 3 + 35);
	CHECK(der[0] == 0x30 && der[1] == 38 && der[2] == 0x02 &&
	    der[3] == 1 && der[4] == 0x01 && der[5] == 0x02 &&
	    der[6] == 33 && der[7] == 0x00 && der[8] == 0x80);
	CHECK(der_to_rs(der, n, 32, back) && memcmp(back, rs, 64) == 0);
	/* P-521: 66-byte values, so the long form of the length. */
	memset(rs, 0xff, sizeof(rs));
	rs[0] = rs[66] = 0x01;
	n = rs_to_der(rs, 66, der);
	CHECK(n == 3 + 2 * 68 && der[1] == 0x81 && der[2] == 136);
	CHECK(der_to_rs(der, n, 66, back) && memcmp(back, rs, 132) == 0);
	/* Too long for the curve. */
	CHECK(!der_to_rs(der, n, 32, back));
	/* Malformed DER. */
	CHECK(der_to_rs(ok, sizeof(ok), 32, back) && back[31] == 1 &&
	    back[63] == 0x7f && back[0] == 0);
	CHECK(!der_to_rs(neg, sizeof(neg), 32, back));
	CHECK(!der_to_rs(nonmin, sizeof(nonmin), 32, back));
	CHECK(!der_to_rs(trail, sizeof(trail), 32, back));
	CHECK(!der_to_rs(longform, sizeof(longform), 32, back));
	CHECK(!der_to_rs(zerolen, sizeof(zerolen), 32, back));
	CHECK(!der_to_rs(badtag, sizeof(badtag), 32, back));
	CHECK(!der_to_rs(ok, sizeof(ok) - 1, 32, back));
	CHECK(!der_to_rs(ok, 1, 32, back));
}

/*
 * A JWK made from base with member name set to the base64url of the n
 * bytes at p (or removed when p is NULL), as JSON text.
 */
static char *
jwk_with(const char *base, const char *name, const void *p, size_t n)
{
	json_t	*j;
	char	*s, *v;

	if ((j = json_loads(base, 0, NULL)) == NULL)
		abort();
	if (p == NULL)
		json_object_del(j, name);
	else {
		v = b64(p, n);
		json_object_set_new(j, name, json_string(v));
		free(v);
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* Same, with a string value. */
static char *
jwk_str(const char *base, const char *name, const char *v)
{
	json_t	*j;
	char	*s;

	if ((j = json_loads(base, 0, NULL)) == NULL)
		abort();
	json_object_set_new(j, name, json_string(v));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* A member of a JWK (JSON text) decoded into buf; returns the length. */
static size_t
jwk_get(const char *jwk, const char *name, unsigned char *buf, size_t sz)
{
	json_t	*j;
	size_t	 n;

	if ((j = json_loads(jwk, 0, NULL)) == NULL)
		abort();
	n = unb64(json_string_value(json_object_get(j, name)), buf, sz);
	json_decref(j);
	return n;
}

/* JWK import: each refusal with the member it names. */
static void
jwk_refusals(void)
{
	struct oerr	 e;
	struct ojwk	*g;
	unsigned char	 b[1100], n2[1100];
	json_t		*j;
	size_t		 n;
	char		*s, *gs;

	/* Shape. */
	CHECK(imp_fails("[]", 0, "must be a JSON object"));
	CHECK(imp_fails("{\"kty\":", 0, "not valid JSON"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"kty\":\"oct\",\"k\":\"AAAA\"}", 0,
	    "duplicate"));
	CHECK(imp_fails("{\"k\":\"AAAA\"}", 0, "member 'kty' is required"));
	CHECK(imp_fails("{\"kty\":1}", 0, "member 'kty' must be a string"));
	CHECK(imp_fails("{\"kty\":\"DSA\"}", 0, "kty 'DSA' is not supported"));
	CHECK(imp_fails("{\"kty\":\"rsa\"}", 0, "kty 'rsa' is not supported"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":[]}", 0,
	    "member 'kid' must be a string"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"a\\u0000b\"}",
	    0, "not valid JSON"));
	/* A JSON value made in memory can hold a NUL. */
	j = json_pack("{s:s,s:s,s:s#}", "kty", "oct", "k", "AAAA", "kid",
	    "a\0b", (size_t)3);
	oerr_clear(&e);
	CHECK(j != NULL && ojwk_import(j, 0, &e) == NULL);
	CHECK(strstr(e.description, "member 'kid' contains a NUL") != NULL);
	json_decref(j);
	CHECK(imp_fails("{\"kty\":\"oct\",\"k\":\"AAAA\",\"use\":true}", 0,
	    "member 'use' must be a string"));

	/* RSA. */
	CHECK(imp_fails("{\"kty\":\"RSA\",\"e\":\"AQAB\"}", 0,
	    "The JWK member 'n' is required."));
	s = jwk_str(rfc7638_key, "n", "ab+c");
	CHECK(imp_fails(s, 0, "The JWK member 'n' is not valid base64url."));
	free(s);
	s = jwk_str(rfc7638_key, "e", "AQAB=");
	CHECK(imp_fails(s, 0, "The JWK member 'e' is not valid base64url."));
	free(s);
	s = jwk_str(rfc7638_key, "e", "");
	CHECK(imp_fails(s, 0, "member 'e' is empty"));
	free(s);
	n = jwk_get(rfc7638_key, "n", b, sizeof(b));
	CHECK(n == 256);
	/* 1024 bits. */
	s = jwk_with(rfc7638_key, "n", b, 128);
	CHECK(imp_fails(s, 0, "has 1024 bits; at least 2048"));
	free(s);
	/* 2047 bits */
	memcpy(n2, b, n);
	n2[0] = 0x7f;
	s = jwk_with(rfc7638_key, "n", n2, n);
	CHECK(imp_fails(s, 0, "has 2047 bits"));
	free(s);
	/* A leading zero octet (RFC 7518 §2 Base64urlUInt). */
	n2[0] = 0;
	memcpy(n2 + 1, b, n);
	s = jwk_with(rfc7638_key, "n", n2, n + 1);
	CHECK(imp_fails(s, 0, "member 'n' has a leading zero"));
	free(s);
	n2[0] = 0;
	n2[1] = 1;
	n2[2] = 0;
	n2[3] = 1;
	s = jwk_with(rfc7638_key, "e", n2, 4);
	CHECK(imp_fails(s, 0, "member 'e' has a leading zero"));
	free(s);
	/* An even modulus: OpenSSL's public check. */
	memcpy(n2, b, n);
	n2[n - 1] &= 0xfe;
	s = jwk_with(rfc7638_key, "n", n2, n);
	CHECK(imp_fails(s, 0, "RSA public key (n, e) is not valid"));
	free(s);
	/* e must be odd and above 1 (e = 3 is allowed). */
	n2[0] = 1;
	s = jwk_with(rfc7638_key, "e", n2, 1);
	CHECK(imp_fails(s, 0, "RSA public key (n, e) is not valid"));
	free(s);
	n2[0] = 2;
	s = jwk_with(rfc7638_key, "e", n2, 1);
	CHECK(imp_fails(s, 0, "RSA public key (n, e) is not valid"));
	free(s);
	n2[0] = 3;
	s = jwk_with(rfc7638_key, "e", n2, 1);
	CHECK((g = imp(s, 0)) != NULL);
	ojwk_free(g);
	free(s);
	/* Too big. */
	memset(n2, 0xff, 1025);
	s = jwk_with(rfc7638_key, "n", n2, 1025);
	CHECK(imp_fails(s, 0, "member 'n' is too long"));
	free(s);
	/* Private members: all or none, consistent, no "oth". */
	s = jwk_with(rfc7515_a2_key, "p", NULL, 0);
	CHECK(imp_fails(s, 1, "member 'p' is required"));
	free(s);
	s = jwk_with(rfc7515_a2_key, "qi", NULL, 0);
	CHECK(imp_fails(s, 1, "member 'qi' is required"));
	free(s);
	s = jwk_with(rfc7515_a2_key, "d", NULL, 0);
	CHECK(imp_fails(s, 0, "member 'p' is private, but 'd' is absent"));
	free(s);
	j = json_loads(rfc7515_a2_key, 0, NULL);
	json_object_set_new(j, "oth", json_array());
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	CHECK(imp_fails(s, 1, "'oth' (multi-prime RSA) is not supported"));
	free(s);
	n = jwk_get(rfc7515_a2_key, "dq", b, sizeof(b));
	s = jwk_with(rfc7515_a2_key, "dp", b, n);
	CHECK(imp_fails(s, 1, "private members do not match"));
	free(s);
	n = jwk_get(rfc7520_rsa_key, "d", b, sizeof(b));
	s = jwk_with(rfc7515_a2_key, "d", b, n);
	CHECK(imp_fails(s, 1, "private members do not match"));
	free(s);
	n = jwk_get(rfc7515_a2_key, "q", b, sizeof(b));
	n2[0] = 0;
	memcpy(n2 + 1, b, n);
	s = jwk_with(rfc7515_a2_key, "p", n2, n + 1);
	CHECK(imp_fails(s, 1, "private members do not match"));
	free(s);
	/* The public part of a private key alone is fine... */
	s = jwk_with(rfc7515_a2_key, "e", "\x01\x00\x01", 3);
	g = imp(s, 1);
	CHECK(g != NULL);
	ojwk_free(g);
	free(s);
	/* ...but not where a private key is needed. */
	CHECK(imp_fails(rfc7638_key, 1, "has no private key"));
	/* An oct key is always private. */
	CHECK((g = imp(rfc7520_hmac_key, 1)) != NULL);
	ojwk_free(g);

	/* EC. */
	CHECK(imp_fails("{\"kty\":\"EC\",\"x\":\"AA\",\"y\":\"AA\"}", 0,
	    "member 'crv' is required"));
	s = jwk_str(rfc7515_a3_key, "crv", "P-192");
	CHECK(imp_fails(s, 0, "crv 'P-192' is not supported for kty 'EC'"));
	free(s);
	s = jwk_str(rfc7515_a3_key, "crv", "secp256k1");
	CHECK(imp_fails(s, 0, "crv 'secp256k1' is not supported"));
	free(s);
	s = jwk_str(rfc7515_a3_key, "crv", "Ed25519");
	CHECK(imp_fails(s, 0, "crv 'Ed25519' is not supported for kty 'EC'"));
	free(s);
	n = jwk_get(rfc7515_a3_key, "x", b, sizeof(b));
	CHECK(n == 32);
	s = jwk_with(rfc7515_a3_key, "x", b + 1, 31);
	CHECK(imp_fails(s, 0, "member 'x' must be 32 bytes for crv 'P-256'"));
	free(s);
	n2[0] = 0;
	memcpy(n2 + 1, b, 32);
	s = jwk_with(rfc7515_a3_key, "x", n2, 33);
	CHECK(imp_fails(s, 0, "member 'x' must be 32 bytes"));
	free(s);
	s = jwk_with(rfc7515_a3_key, "y", NULL, 0);
	CHECK(imp_fails(s, 0, "member 'y' is required"));
	free(s);
	s = jwk_str(rfc7515_a3_key, "y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYj"
	    "KIWI5a0=");
	CHECK(imp_fails(s, 0, "member 'y' is not valid base64url"));
	free(s);
	n = jwk_get(rfc7515_a3_key, "y", b, sizeof(b));
	b[31] ^= 1;
	s = jwk_with(rfc7515_a3_key, "y", b, 32);
	CHECK(imp_fails(s, 0, "point (x, y) is not on curve P-256"));
	free(s);
	/* A coordinate >= p: the P-256 prime is ff..ff at the end. */
	memset(b, 0xff, 32);
	s = jwk_with(rfc7515_a3_key, "x", b, 32);
	CHECK(imp_fails(s, 0, "is not on curve P-256"));
	free(s);
	n = jwk_get(rfc7515_a3_key, "d", b, sizeof(b));
	s = jwk_with(rfc7515_a3_key, "d", b, 31);
	CHECK(imp_fails(s, 0, "member 'd' must be 32 bytes for crv 'P-256'"));
	free(s);
	oerr_clear(&e);
	g = ojwk_generate("ES256", 0, NULL, NULL, &e);
	CHECK(g != NULL);
	if (g != NULL) {
		j = ojwk_export(g, 1, &e);
		gs = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		n = jwk_get(gs, "d", b, sizeof(b));
		s = jwk_with(rfc7515_a3_key, "d", b, n);
		CHECK(imp_fails(s, 0, "private member 'd' does not match"));
		free(s);
		free(gs);
	}
	ojwk_free(g);
	memset(b, 0, 32);
	s = jwk_with(rfc7515_a3_key, "d", b, 32);
	CHECK(imp_fails(s, 0, "member 'd' is not a valid P-256 private key"));
	free(s);
	memset(b, 0xff, 32);
	s = jwk_with(rfc7515_a3_key, "d", b, 32);
	CHECK(imp_fails(s, 0, "'d'"));
	free(s);

	/* OKP. */
	s = jwk_str(rfc8037_key, "crv", "X25519");
	CHECK(imp_fails(s, 0, "crv 'X25519' is not supported for kty 'OKP'"));
	free(s);
	s = jwk_str(rfc8037_key, "crv", "Ed448");
	CHECK(imp_fails(s, 0, "crv 'Ed448' is not supported"));
	free(s);
	s = jwk_str(rfc8037_key, "crv", "P-256");
	CHECK(imp_fails(s, 0, "crv 'P-256' is not supported for kty 'OKP'"));
	free(s);
	n = jwk_get(rfc8037_key, "x", b, sizeof(b));
	s = jwk_with(rfc8037_key, "x", b, 31);
	CHECK(imp_fails(s, 0, "member 'x' must be 32 bytes for crv 'Ed25519'"));
	free(s);
	b[0] ^= 1;
	s = jwk_with(rfc8037_key, "x", b, 32);
	CHECK(imp_fails(s, 0, "private member 'd' does not match"));
	free(s);
	s = jwk_with(rfc8037_key, "d", b, 33);
	CHECK(imp_fails(s, 0, "member 'd' must be 32 bytes"));
	free(s);

	/* oct. */
	CHECK(imp_fails("{\"kty\":\"oct\"}", 0, "member 'k' is required"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"k\":\"\"}", 0, "member 'k' is empty"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"k\":\"A\"}", 0,
	    "member 'k' is not valid base64url"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"alg\":\"HS256\","
	    "\"k\":\"AAAAAAAAAAAAAAAAAAAAAA\"}", 0,
	    "oct key has 16 bytes, but alg 'HS256' needs at least 32"));
	CHECK(imp_fails("{\"kty\":\"oct\",\"alg\":\"HS512\",\"k\":\"hJtXIZ2uSN"
	    "5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}", 0,
	    "has 32 bytes, but alg 'HS512' needs at least 64"));

	/* alg: known, and fitting kty and crv. */
	s = jwk_str(rfc7515_a3_key, "alg", "RS256");
	CHECK(imp_fails(s, 0, "The JWK has kty 'EC' but alg 'RS256'."));
	free(s);
	s = jwk_str(rfc7515_a3_key, "alg", "ES384");
	CHECK(imp_fails(s, 0, "The JWK has crv 'P-256' but alg 'ES384'."));
	free(s);
	s = jwk_str(rfc7515_a3_key, "alg", "none");
	CHECK(imp_fails(s, 0, "alg 'none' is not supported"));
	free(s);
	s = jwk_str(rfc7515_a2_key, "alg", "RSA-OAEP");
	CHECK(imp_fails(s, 0, "alg 'RSA-OAEP' is not supported"));
	free(s);
	s = jwk_str(rfc7515_a2_key, "alg", "ES256");
	CHECK(imp_fails(s, 0, "has kty 'RSA' but alg 'ES256'"));
	free(s);
	s = jwk_str(rfc7515_a2_key, "alg", "HS256");
	CHECK(imp_fails(s, 0, "has kty 'RSA' but alg 'HS256'"));
	free(s);
	s = jwk_str(rfc8037_key, "alg", "ES256");
	CHECK(imp_fails(s, 0, "has kty 'OKP' but alg 'ES256'"));
	free(s);
	s = jwk_str(rfc7515_a1_key, "alg", "RS256");
	CHECK(imp_fails(s, 0, "has kty 'oct' but alg 'RS256'"));
	free(s);
	s = jwk_str(rfc7515_a2_key, "alg", "PS512");
	CHECK((g = imp(s, 1)) != NULL);
	free(s);
	if (g != NULL) {
		CHECK_STR(ojwk_alg(g), "PS512");
		oerr_clear(&e);
		CHECK(!ojwk_set_alg(g, "ES256", &e));
		CHECK_STR(ojwk_alg(g), "PS512");
		CHECK(ojwk_set_alg(g, "RS384", &e));
		CHECK(ojwk_set_alg(g, NULL, &e) && ojwk_alg(g) == NULL);
	}
	ojwk_free(g);
	/* Unknown members are ignored (RFC 7517 §4). */
	j = json_loads(rfc7515_a3_key, 0, NULL);
	json_object_set_new(j, "x5t", json_string("whatever"));
	json_object_set_new(j, "key_ops", json_pack("[s]", "sign"));
	oerr_clear(&e);
	g = ojwk_import(j, 1, &e);
	CHECK(g != NULL);
	ojwk_free(g);
	json_decref(j);
	oerr_clear(&e);
	CHECK(ojwk_import(NULL, 0, &e) == NULL);
}

/* The names of the members of o, in order, comma-separated, into buf. */
static const char *
members(const json_t *o, char *buf, size_t sz)
{
	void	*it;

	buf[0] = '\0';
	for (it = json_object_iter((json_t *)o); it != NULL;
	    it = json_object_iter_next((json_t *)o, it)) {
		if (buf[0] != '\0')
			strncat(buf, ",", sz - strlen(buf) - 1);
		strncat(buf, json_object_iter_key(it), sz - strlen(buf) - 1);
	}
	return buf;
}

/* JWK export: the members and their order, with and without private. */
static void
jwk_export_order(void)
{
	static const char *const vectors[] = {
		rfc7515_a1_key, rfc7515_a2_key, rfc7515_a3_key,
		rfc7515_a4_key, rfc7520_ec_key, rfc7520_rsa_key,
		rfc7520_hmac_key, rfc7638_key, rfc8037_key,
	};
	struct oerr	 e;
	struct ojwk	*k;
	json_t		*j, *in;
	char		 buf[256];
	size_t		 i;

	/* Export gives back exactly what came in, for every vector. */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		CHECK((k = imp(vectors[i], 0)) != NULL);
		if (k == NULL)
			continue;
		oerr_clear(&e);
		in = json_loads(vectors[i], 0, NULL);
		CHECK((j = ojwk_export(k, 1, &e)) != NULL);
		CHECK(json_equal(in, j));
		json_decref(j);
		json_decref(in);
		ojwk_free(k);
	}

	k = imp(rfc7515_a2_key, 1);
	CHECK(k != NULL);
	if (k != NULL) {
		oerr_clear(&e);
		CHECK(ojwk_set_kid(k, "k1", &e) && ojwk_set_use(k, "sig", &e) &&
		    ojwk_set_alg(k, "RS256", &e));
		j = ojwk_export(k, 1, &e);
		CHECK_STR(members(j, buf, sizeof(buf)),
		    "kty,n,e,d,p,q,dp,dq,qi,use,alg,kid");
		json_decref(j);
		j = ojwk_export(k, 0, &e);
		CHECK_STR(members(j, buf, sizeof(buf)),
		    "kty,n,e,use,alg,kid");
		json_decref(j);
		ojwk_free(k);
	}
	k = imp(rfc7520_ec_key, 1);
	CHECK(k != NULL);
	if (k != NULL) {
		oerr_clear(&e);
		j = ojwk_export(k, 1, &e);
		CHECK_STR(members(j, buf, sizeof(buf)),
		    "kty,crv,x,y,d,use,kid");
		/* P-521: 66 bytes even with a leading zero (the d here). */
		CHECK(strlen(json_string_value(json_object_get(j, "d"))) ==
		    88);
		CHECK(strncmp(json_string_value(json_object_get(j, "d")),
		    "AAhRON2r", 8) == 0);
		json_decref(j);
		j = ojwk_export(k, 0, &e);
		CHECK_STR(members(j, buf, sizeof(buf)), "kty,crv,x,y,use,kid");
		json_decref(j);
		ojwk_free(k);
	}
	k = imp(rfc8037_key, 1);
	CHECK(k != NULL);
	if (k != NULL) {
		oerr_clear(&e);
		j = ojwk_export(k, 1, &e);
		CHECK_STR(members(j, buf, sizeof(buf)), "kty,crv,x,d");
		json_decref(j);
		ojwk_free(k);
	}
	k = imp(rfc7520_hmac_key, 1);
	CHECK(k != NULL);
	if (k != NULL) {
		oerr_clear(&e);
		j = ojwk_export(k, 1, &e);
		CHECK_STR(members(j, buf, sizeof(buf)), "kty,k,use,alg,kid");
		json_decref(j);
		/* A secret has no public half. */
		oerr_clear(&e);
		CHECK(ojwk_export(k, 0, &e) == NULL);
		CHECK(strstr(e.description, "no public part") != NULL);
		CHECK(ojwk_export_pem(k, 1, &e) == NULL);
		ojwk_free(k);
	}
}

/* Key generation for every alg, sizes, kid and use. */
static void
generate(void)
{
	static const struct {
		const char	*alg;
		int		 bits;
		const char	*kty;
		const char	*crv;
		int		 want;
	} v[] = {
		{ "HS256", 0, "oct", NULL, 256 },
		{ "HS384", 0, "oct", NULL, 384 },
		{ "HS512", 0, "oct", NULL, 512 },
		{ "RS256", 0, "RSA", NULL, 2048 },
		{ "RS384", 3072, "RSA", NULL, 3072 },
		{ "PS512", 4096, "RSA", NULL, 4096 },
		{ "ES256", 0, "EC", "P-256", 256 },
		{ "ES384", 0, "EC", "P-384", 384 },
		{ "ES512", 0, "EC", "P-521", 521 },
		{ "EdDSA", 0, "OKP", "Ed25519", 256 },
	};
	struct oerr	 e;
	struct ojwk	*k, *k2;
	char		 tp[OJWK_THUMBPRINT_LEN + 1];
	size_t		 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		oerr_clear(&e);
		k = ojwk_generate(v[i].alg, v[i].bits, NULL, NULL, &e);
		CHECK(k != NULL);
		if (k == NULL)
			continue;
		CHECK_STR(ojwk_kty(k), v[i].kty);
		if (v[i].crv == NULL)
			CHECK(ojwk_crv(k) == NULL);
		else
			CHECK_STR(ojwk_crv(k), v[i].crv);
		CHECK(ojwk_bits(k) == v[i].want);
		CHECK_STR(ojwk_alg(k), v[i].alg);
		CHECK(ojwk_use(k) == NULL);
		CHECK(ojwk_thumbprint(k, tp, &e));
		CHECK_STR(ojwk_kid(k), tp);
		CHECK(ojwk_fits(k, v[i].alg));
		ojwk_free(k);
	}
	/* Two keys differ. */
	k = ojwk_generate("HS256", 0, "a", "sig", &e);
	k2 = ojwk_generate("HS256", 0, "a", "sig", &e);
	CHECK(k != NULL && k2 != NULL && !same_key(k, k2, 1));
	if (k != NULL) {
		CHECK_STR(ojwk_kid(k), "a");
		CHECK_STR(ojwk_use(k), "sig");
	}
	ojwk_free(k);
	ojwk_free(k2);
	k = ojwk_generate("ES256", 0, "e", "enc", &e);
	CHECK(k != NULL && !ojwk_fits(k, "ES256"));
	ojwk_free(k);

	oerr_clear(&e);
	CHECK(ojwk_generate("RS256", 1024, NULL, NULL, &e) == NULL);
	CHECK(strstr(e.description, "2048, 3072 or 4096 bits, not 1024"));
	oerr_clear(&e);
	CHECK(ojwk_generate("RS256", 2047, NULL, NULL, &e) == NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate("ES256", 256, NULL, NULL, &e) == NULL);
	CHECK(strstr(e.description, "takes no key size") != NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate("HS256", 512, NULL, NULL, &e) == NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate("none", 0, NULL, NULL, &e) == NULL);
	CHECK(strstr(e.description, "'none' is not supported") != NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate(NULL, 0, NULL, NULL, &e) == NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate("RSA-OAEP", 0, NULL, NULL, &e) == NULL);
	oerr_clear(&e);
	CHECK(ojwk_generate("ES256", 0, NULL, "both", &e) == NULL);
	CHECK(strstr(e.description, "'both' is not 'sig' or 'enc'") != NULL);
	CHECK(ojose_alg_supported("EdDSA") && !ojose_alg_supported("none") &&
	    !ojose_alg_supported("Ed25519") && !ojose_alg_supported(NULL));
}

/* PEM import (PKCS#8, SPKI, traditional) and export, both ways. */
static void
pem(void)
{
	static const char *const algs[] = { "RS256", "ES384", "EdDSA" };
	struct oerr	 e;
	struct ojwk	*k, *k2, *p;
	char		*s;
	size_t		 i;

	/* Our own PEM, private and public, round trip. */
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		oerr_clear(&e);
		CHECK((k = ojwk_generate(algs[i], 0, "x", NULL, &e)) != NULL);
		if (k == NULL)
			continue;
		CHECK((s = ojwk_export_pem(k, 1, &e)) != NULL);
		if (s != NULL) {
			CHECK(strncmp(s, "-----BEGIN PRIVATE KEY-----\n",
			    28) == 0);
			k2 = ojwk_import_pem(s, strlen(s), 1, &e);
			CHECK(k2 != NULL);
			if (k2 != NULL) {
				/* No kid, alg or use in PEM. */
				CHECK(ojwk_kid(k2) == NULL &&
				    ojwk_alg(k2) == NULL);
				CHECK(ojwk_set_kid(k2, "x", &e) &&
				    ojwk_set_alg(k2, algs[i], &e));
				CHECK(same_key(k, k2, 1));
			}
			ojwk_free(k2);
		}
		ojose_free(s);
		CHECK((s = ojwk_export_pem(k, 0, &e)) != NULL);
		if (s != NULL) {
			CHECK(strncmp(s, "-----BEGIN PUBLIC KEY-----\n",
			    27) == 0);
			k2 = ojwk_import_pem(s, strlen(s), 0, &e);
			CHECK(k2 != NULL && !ojwk_has_private(k2));
			if (k2 != NULL) {
				CHECK(ojwk_set_kid(k2, "x", &e) &&
				    ojwk_set_alg(k2, algs[i], &e));
				CHECK(same_key(k, k2, 0));
			}
			ojwk_free(k2);
			oerr_clear(&e);
			CHECK(ojwk_import_pem(s, strlen(s), 1, &e) == NULL);
			CHECK(strstr(e.description, "no private key") != NULL);
		}
		ojose_free(s);
		ojwk_free(k);
	}

	/* The openssl CLI's traditional and SPKI forms (pem.sh). */
	k = pem_file("rsa-trad.pem", 1, &e);
	CHECK(k != NULL && ojwk_has_private(k) && ojwk_bits(k) == 2048);
	p = pem_file("rsa-pkcs1-pub.pem", 0, &e);
	CHECK(p != NULL && !ojwk_has_private(p));
	CHECK(k != NULL && p != NULL && same_key(k, p, 0));
	ojwk_free(p);
	p = pem_file("rsa-spki.pem", 0, &e);
	CHECK(k != NULL && p != NULL && same_key(k, p, 0));
	ojwk_free(p);
	ojwk_free(k);
	k = pem_file("ec-trad.pem", 1, &e);
	CHECK(k != NULL && ojwk_has_private(k));
	if (k != NULL)
		CHECK_STR(ojwk_crv(k), "P-256");
	p = pem_file("ec-spki.pem", 0, &e);
	CHECK(k != NULL && p != NULL && same_key(k, p, 0));
	ojwk_free(p);
	ojwk_free(k);
	k = pem_file("ed25519.pem", 1, &e);
	CHECK(k != NULL);
	if (k != NULL)
		CHECK_STR(ojwk_crv(k), "Ed25519");
	ojwk_free(k);

	/*
	 * Explicit curve parameters: OpenSSL recognises them as P-384, so
	 * the key is read, and written back with the named curve.
	 */
	k = pem_file("ec-explicit.pem", 1, &e);
	CHECK(k != NULL);
	if (k != NULL) {
		CHECK_STR(ojwk_crv(k), "P-384");
		CHECK((s = ojwk_export_pem(k, 0, &e)) != NULL);
		ojose_free(s);
	}
	ojwk_free(k);

	/* Refusals. */
	CHECK(pem_file("ec-k256.pem", 0, &e) == NULL);
	CHECK(strstr(e.description, "not on a named curve") != NULL);
	CHECK(pem_file("x25519.pem", 0, &e) == NULL);
	CHECK(strstr(e.description, "not an RSA, EC or Ed25519") != NULL);
	CHECK(pem_file("rsa1024.pem", 0, &e) == NULL);
	CHECK(strstr(e.description, "1024 bits; at least 2048") != NULL);
	CHECK(pem_file("ed25519-enc.pem", 0, &e) == NULL);
	CHECK(strstr(e.description, "encrypted") != NULL);
	CHECK(pem_file("rsa-spki.pem", 1, &e) == NULL);
	CHECK(strstr(e.description, "no private key") != NULL);
	oerr_clear(&e);
	CHECK(ojwk_import_pem("hello", 5, 0, &e) == NULL);
	CHECK(e.status == 400);
	oerr_clear(&e);
	CHECK(ojwk_import_pem("", 0, 0, &e) == NULL);
	oerr_clear(&e);
	CHECK(ojwk_import_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n", 51, 0, &e) == NULL);
}

/* JWK Sets: import, find, export for a jwks_uri, verify with a set. */
static void
jwks(void)
{
	struct oerr	 e;
	struct ojwks	*set;
	struct ojws	*r;
	json_t		*j, *arr;
	char		*s;
	size_t		 i;

	s = cat3("{\"keys\":[", rfc7515_a3_key, ",");
	{
		char	*t = cat3(s, rfc7520_hmac_key, ",");
		free(s);
		s = cat3(t, rfc7638_key, "]}");
		free(t);
	}
	j = json_loads(s, 0, NULL);
	free(s);
	oerr_clear(&e);
	CHECK((set = ojwks_import(j, 0, &e)) != NULL);
	json_decref(j);
	if (set == NULL)
		return;
	CHECK(set->nkeys == 3);
	CHECK(ojwks_find(set, "2011-04-29") == set->keys[2]);
	CHECK(ojwks_find(set, "nope") == NULL);
	CHECK(ojwks_find(set, NULL) == NULL);
	/* Public: the oct key stays out, the EC key loses "d". */
	CHECK((j = ojwks_export(set, 0, &e)) != NULL);
	arr = json_object_get(j, "keys");
	CHECK(json_array_size(arr) == 2);
	CHECK(json_object_get(json_array_get(arr, 0), "d") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(arr, 1),
	    "kid")), "2011-04-29");
	json_decref(j);
	CHECK((j = ojwks_export(set, 1, &e)) != NULL);
	CHECK(json_array_size(json_object_get(j, "keys")) == 3);
	json_decref(j);
	/* Verify with the whole set: the oct key by its kid. */
	oerr_clear(&e);
	r = ojws_verify(rfc7520_44, strlen(rfc7520_44), set->keys,
	    set->nkeys, NULL, &e);
	CHECK(r != NULL && r->key == set->keys[1]);
	ojws_free(r);
	/* ...and the EC key without a kid. */
	r = ojws_verify(rfc7515_a3_jws, strlen(rfc7515_a3_jws), set->keys,
	    set->nkeys, NULL, &e);
	CHECK(r != NULL && r->key == set->keys[0]);
	ojws_free(r);
	ojwks_free(set);

	/* Refusals. */
	oerr_clear(&e);
	j = json_loads("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"},"
	    "{\"kty\":\"RSA\"}]}", 0, NULL);
	CHECK(ojwks_import(j, 0, &e) == NULL);
	CHECK_STR(e.description, "keys[1]: The JWK member 'n' is required.");
	json_decref(j);
	oerr_clear(&e);
	j = json_loads("{\"keys\":{}}", 0, NULL);
	CHECK(ojwks_import(j, 0, &e) == NULL);
	CHECK(strstr(e.description, "array 'keys'") != NULL);
	json_decref(j);
	oerr_clear(&e);
	j = json_loads("[]", 0, NULL);
	CHECK(ojwks_import(j, 0, &e) == NULL);
	json_decref(j);
	j = json_pack("{s:[]}", "keys");
	for (i = 0; i <= OJWKS_MAX; i++)
		json_array_append_new(json_object_get(j, "keys"),
		    json_pack("{s:s,s:s}", "kty", "oct", "k", "AA"));
	oerr_clear(&e);
	CHECK(ojwks_import(j, 0, &e) == NULL);
	CHECK(strstr(e.description, "more than 64 keys") != NULL);
	json_decref(j);
	/* An empty set is a set. */
	j = json_pack("{s:[]}", "keys");
	oerr_clear(&e);
	CHECK((set = ojwks_import(j, 0, &e)) != NULL && set->nkeys == 0);
	ojwks_free(set);
	json_decref(j);
	set = ojwks_new();
	ojwks_add(set, imp(rfc7515_a1_key, 0));
	CHECK(set->nkeys == 1);
	ojwks_free(set);
}

/* Parse claims text for the claim tests. */
static json_t *
claims(const char *s)
{
	json_t	*j;

	if ((j = json_loads(s, JSON_ALLOW_NUL, NULL)) == NULL)
		abort();
	return j;
}

/* Does ojwt_check(claims text, ...) fail with want in the message? */
static int
claims_fail(const char *c, const char *iss, const char *aud, int64_t now,
    int64_t skew, unsigned flags, const char *want)
{
	struct oerr	 e;
	json_t		*j = claims(c);
	int		 rc;

	oerr_clear(&e);
	rc = ojwt_check(j, iss, aud, now, skew, flags, &e);
	json_decref(j);
	if (rc) {
		fprintf(stderr, "claims %s passed\n", c);
		return 0;
	}
	if (e.status != 400 || strstr(e.description, want) == NULL) {
		fprintf(stderr, "claims: \"%s\", wanted \"%s\"\n",
		    e.description, want);
		return 0;
	}
	return 1;
}

/* Does ojwt_check(claims text, ...) pass? */
static int
claims_ok(const char *c, const char *iss, const char *aud, int64_t now,
    int64_t skew, unsigned flags)
{
	struct oerr	 e;
	json_t		*j = claims(c);
	int		 rc;

	oerr_clear(&e);
	rc = ojwt_check(j, iss, aud, now, skew, flags, &e);
	json_decref(j);
	if (!rc)
		fprintf(stderr, "claims %s: %s\n", c, e.description);
	return rc;
}

/* RFC 7519 §4.1 claim checks. */
static void
jwt_claims(void)
{
	static const char base[] = "{\"iss\":\"https://op.example\","
	    "\"aud\":\"client1\",\"exp\":1000,\"nbf\":900,\"iat\":900}";
	struct oerr	 e;
	struct ojwk	*k;
	struct ojws	*r;
	json_t		*j;
	char		*s;

	CHECK(claims_ok(base, "https://op.example", "client1", 950, 0,
	    OJWT_REQUIRE_EXP | OJWT_REQUIRE_IAT));
	/* exp: now >= exp is expired; skew extends it. */
	CHECK(claims_fail(base, NULL, "client1", 1000, 0, 0, "has expired"));
	CHECK(claims_fail(base, NULL, "client1", 5000, 30, 0, "has expired"));
	CHECK(claims_ok(base, NULL, "client1", 999, 0, 0));
	CHECK(claims_ok(base, NULL, "client1", 1029, 30, 0));
	CHECK(claims_fail(base, NULL, "client1", 1030, 30, 0, "expired"));
	CHECK(claims_ok("{\"exp\":1000.5}", NULL, NULL, 1000, 0, 0));
	CHECK(claims_fail("{\"exp\":\"2000\"}", NULL, NULL, 0, 0, 0,
	    "claim 'exp' must be a number"));
	CHECK(claims_fail("{\"exp\":null}", NULL, NULL, 0, 0, 0,
	    "claim 'exp' must be a number"));
	CHECK(claims_fail("{}", NULL, NULL, 0, 0, OJWT_REQUIRE_EXP,
	    "claim 'exp' is required"));
	CHECK(claims_ok("{}", NULL, NULL, 0, 0, 0));
	/* nbf: now + skew < nbf is not yet valid. */
	CHECK(claims_fail(base, NULL, "client1", 899, 0, 0, "not valid yet"));
	CHECK(claims_ok(base, NULL, "client1", 900, 0, 0));
	CHECK(claims_ok(base, NULL, "client1", 890, 10, 0));
	CHECK(claims_fail(base, NULL, "client1", 889, 10, 0, "not valid yet"));
	CHECK(claims_fail("{\"nbf\":true}", NULL, NULL, 0, 0, 0,
	    "claim 'nbf' must be a number"));
	/* iat: not in the future beyond the skew. */
	CHECK(claims_fail("{\"iat\":1000}", NULL, NULL, 900, 60, 0,
	    "issued in the future"));
	CHECK(claims_ok("{\"iat\":1000}", NULL, NULL, 940, 60, 0));
	CHECK(claims_fail("{\"iat\":[1]}", NULL, NULL, 0, 0, 0,
	    "claim 'iat' must be a number"));
	CHECK(claims_fail("{\"exp\":9}", NULL, NULL, 0, 0, OJWT_REQUIRE_IAT,
	    "claim 'iat' is required"));
	/* A negative skew counts as none. */
	CHECK(claims_fail(base, NULL, "client1", 1000, -100, 0, "expired"));
	/* iss: exact. */
	CHECK(claims_fail(base, "https://op.example/", "client1", 950, 0, 0,
	    "'iss' is not the expected issuer"));
	CHECK(claims_fail("{\"aud\":\"c\"}", "https://op.example", "c", 0, 0,
	    0, "claim 'iss' is required"));
	CHECK(claims_fail("{\"iss\":1,\"aud\":\"c\"}", "x", "c", 0, 0, 0,
	    "claim 'iss' must be a string"));
	CHECK(claims_fail("{\"iss\":\"x\\u0000y\",\"aud\":\"c\"}", "x", "c",
	    0, 0, 0, "not the expected issuer"));
	/* aud: a string or an array containing us; required if expected. */
	CHECK(claims_ok("{\"aud\":[\"a\",\"client1\"]}", NULL, "client1", 0,
	    0, 0));
	CHECK(claims_fail("{\"aud\":[\"a\",\"b\"]}", NULL, "client1", 0, 0, 0,
	    "does not contain the expected audience"));
	CHECK(claims_fail("{\"aud\":[]}", NULL, "client1", 0, 0, 0,
	    "does not contain"));
	CHECK(claims_fail("{\"aud\":\"client2\"}", NULL, "client1", 0, 0, 0,
	    "does not contain"));
	CHECK(claims_fail("{\"iss\":\"x\"}", NULL, "client1", 0, 0, 0,
	    "claim 'aud' is required"));
	CHECK(claims_fail("{\"aud\":[\"client1\",2]}", NULL, "client1", 0, 0,
	    0, "a string or an array of strings"));
	CHECK(claims_fail("{\"aud\":{}}", NULL, "client1", 0, 0, 0,
	    "a string or an array of strings"));
	CHECK(claims_fail("{\"aud\":\"client1\"}", NULL, NULL, 0, 0, 0,
	    "no audience is expected"));
	j = json_pack("[]");
	oerr_clear(&e);
	CHECK(!ojwt_check(j, NULL, NULL, 0, 0, 0, &e));
	json_decref(j);

	/* ojwt_claims: the payload of a verified JWS as a JSON object. */
	k = imp(rfc7515_a1_key, 0);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	CHECK((r = ver(rfc7515_a1_jws, k, NULL, &e)) != NULL);
	if (r != NULL) {
		CHECK((j = ojwt_claims(r, &e)) != NULL);
		/* RFC 7515 A.1: exp 1300819380, iss "joe". */
		CHECK(ojwt_check(j, "joe", NULL, 1300819379, 0,
		    OJWT_REQUIRE_EXP, &e));
		CHECK(claims_fail("{\"exp\":1300819380}", NULL, NULL,
		    1300819380, 0, 0, "expired"));
		json_decref(j);
	}
	ojws_free(r);
	s = sign(k, "HS256", NULL, "{\"a\":1,\"a\":2}", 13);
	CHECK(s != NULL && (r = ver(s, k, NULL, &e)) != NULL);
	if (s != NULL && r != NULL) {
		oerr_clear(&e);
		CHECK(ojwt_claims(r, &e) == NULL);
		CHECK(strstr(e.description, "not valid JSON") != NULL);
		ojws_free(r);
	}
	ojose_free(s);
	s = sign(k, "HS256", NULL, "[1]", 3);
	CHECK(s != NULL && (r = ver(s, k, NULL, &e)) != NULL);
	if (s != NULL && r != NULL) {
		oerr_clear(&e);
		CHECK(ojwt_claims(r, &e) == NULL);
		CHECK(strstr(e.description, "must be a JSON object") != NULL);
		ojws_free(r);
	}
	ojose_free(s);
	ojwk_free(k);
}

/*
 * python3-jwcrypto's keys and signatures (tests/data/jose/gen.py): the
 * same thumbprints, its JWS verified, and for the deterministic algs
 * (HS*, RS*, EdDSA) the exact same JWS from the same key and header;
 * its PKCS#8 and SPKI PEM give its JWK.
 */
static void
jwcrypto(void)
{
	struct oerr	 e;
	struct ojwk	*priv, *pub, *pp;
	struct ojws	*r;
	json_t		*all, *v, *pj;
	const char	*alg, *payload, *jws, *pem, *only[2] = { NULL };
	char		 tp[OJWK_THUMBPRINT_LEN + 1], *text, *s;
	FILE		*out = NULL;
	size_t		 i, n = 0;

	if ((text = slurp("jwcrypto.json", NULL)) == NULL) {
		CHECK(!"tests/data/jose/jwcrypto.json");
		return;
	}
	all = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	CHECK(all != NULL);
	if (getenv("JOSE_CROSS_OUT") != NULL)
		out = fopen(getenv("JOSE_CROSS_OUT"), "w");
	json_array_foreach(json_object_get(all, "vectors"), i, v) {
		alg = json_string_value(json_object_get(v, "alg"));
		payload = json_string_value(json_object_get(v, "payload"));
		jws = json_string_value(json_object_get(v, "jws"));
		only[0] = alg;
		oerr_clear(&e);
		priv = ojwk_import(json_object_get(v, "private"), 1, &e);
		CHECK(priv != NULL);
		if (priv == NULL) {
			fprintf(stderr, "%s: %s\n", alg, e.description);
			continue;
		}
		pj = json_object_get(v, "public");
		pub = pj != NULL ? ojwk_import(pj, 0, &e) : NULL;
		CHECK(pj == NULL || pub != NULL);
		CHECK(ojwk_thumbprint(priv, tp, &e));
		CHECK_STR(tp, json_string_value(json_object_get(v,
		    "thumbprint")));
		if (pub != NULL) {
			CHECK(ojwk_thumbprint(pub, tp, &e));
			CHECK_STR(tp, json_string_value(json_object_get(v,
			    "thumbprint")));
		}
		/* Its signature. */
		CHECK((r = ver(jws, pub != NULL ? pub : priv, only, &e)) !=
		    NULL);
		if (r != NULL)
			CHECK(r->payloadlen == strlen(payload) &&
			    memcmp(r->payload, payload, r->payloadlen) == 0);
		ojws_free(r);
		/* Ours. */
		s = sign(priv, alg, NULL, payload, strlen(payload));
		CHECK(s != NULL);
		if (s != NULL && alg[0] != 'P' && alg[0] != 'E')
			CHECK_STR(s, jws);
		if (s != NULL && strcmp(alg, "EdDSA") == 0)
			CHECK_STR(s, jws);
		if (s != NULL && out != NULL)
			fprintf(out, "%s\t%s\n", alg, s);
		ojose_free(s);
		/* Its PEM. */
		if ((pem = json_string_value(json_object_get(v,
		    "pem_private"))) != NULL) {
			pp = ojwk_import_pem(pem, strlen(pem), 1, &e);
			CHECK(pp != NULL);
			if (pp != NULL) {
				CHECK(ojwk_set_kid(pp, ojwk_kid(priv), &e));
				CHECK(same_key(pp, priv, 1));
			}
			ojwk_free(pp);
		}
		if ((pem = json_string_value(json_object_get(v,
		    "pem_public"))) != NULL) {
			pp = ojwk_import_pem(pem, strlen(pem), 0, &e);
			CHECK(pp != NULL);
			if (pp != NULL) {
				CHECK(ojwk_set_kid(pp, ojwk_kid(priv), &e));
				CHECK(same_key(pp, priv, 0));
			}
			ojwk_free(pp);
		}
		ojwk_free(pub);
		ojwk_free(priv);
		n++;
	}
	CHECK(n == NALGS);
	if (out != NULL)
		fclose(out);
	json_decref(all);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(rfc7515_a1_hs256),
		T(rfc7515_a2_rs256),
		T(rfc7515_a3_es256),
		T(rfc7515_a4_es512),
		T(rfc8037_ed25519),
		T(rfc7638_thumbprint),
		T(rfc7520_rs256),
		T(rfc7520_ps384),
		T(rfc7520_es512),
		T(rfc7520_hs256),
		T(roundtrip_all),
		T(jws_refuse_format),
		T(jws_refuse_keys),
		T(jws_refuse_signature),
		T(ecdsa_der),
		T(jwk_refusals),
		T(jwk_export_order),
		T(generate),
		T(pem),
		T(jwks),
		T(jwt_claims),
		T(jwcrypto),
	};

	return t_run(tests, NTESTS);
}
