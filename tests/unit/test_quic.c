/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_quic.c - QUIC Initial decryption and ClientHello reassembly (RFC 9001 A, RFC 9369 A). */
#include <errno.h>

#include <openssl/evp.h>

#include "l7/quic.h"
#include "test.h"

TEST_MAIN_DEFINE;

/* RFC 9001 A.2 and RFC 9369 A.2: the same ClientHello, protected as a v1 and a v2 client Initial. */
static const char rfc9001_a2[] =
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c"
	"0bab7df5976d27cd449f63300099f3991c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
	"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df621230c83711b39343fa028cea7f7fb5ff89"
	"eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
	"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e"
	"610ac8b7ec3faf6ad760b7bad1db4ba3485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
	"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c7b4378e846d29f37ed7b4ea9ec5d82e7"
	"961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
	"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7"
	"fe942b330407abf82a4ed7c1b311663ac69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
	"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632291d6a418211cc2962e20fe47feb3edf"
	"330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
	"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff2"
	"8f5b766953334113211996d20011a198e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
	"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73203a4a13e96f5432ec0fd4a1ee65accd"
	"d5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
	"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a07"
	"1b851e6c239052172f296bfb5e72404790a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
	"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f440591f355e12d439ff150aab7613499d"
	"bd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
	"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723"
	"c8c0aea8078cdfcb3868263ff8f0940054da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
	"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9f96f3ca9ec1dde434da7d2d392b905dd"
	"f3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934";

static const char rfc9369_a2[] =
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485dd04de806071bf03dceebfa162e75d6c"
	"96058bdbfb127cdfcbf903388e99ad049f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a12834e3f249a78d395e0d18f4d766004"
	"f1a2674802a747eaa901c3f10cda5500cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff3312ae50b187c1433c0f028edcc4c2838b"
	"6a9bfc226ca4b4530e7a4ccee1bfa2a3d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520bcfb7966fc49b393f0061d974a2706df"
	"8c4a9449f11d7f3d2dcbb90c6b877045636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c1216ccce2d0193f958bb3850a833f7ae43"
	"2b65bc5a53975c155aa4bcb4f7b2c4e54df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b8017c25ca9052ca1079d8b78aebd4787"
	"6d330a30f6a8c6d61dd1ab5589329de714d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91abfe43960977c87471cf9ad4074d30e1"
	"0d6a7f03c63bd5d4317f68ff325ba3bd80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18d703dd84045a274ae8bfa73379661388"
	"d6991fe39b0d93debb41700b41f90a15c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61f6b5b984d4d3dfa033c1bb7e4f0037fe"
	"bf406d91c0dccf32acf423cfa1e7071010d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e06ebfde206bfb0fcbc0edc4ebec30966"
	"1bdd908d532eb0c6adc38b7ca7331dce8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1e86215c2d54e6670e07383a27bbffb5a"
	"ddf47d66aa85a0c6f9f32e59d85a44dd5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89d5974ee12e5cf7d5da4d6a31123041f3"
	"3e61407e76cffcdcfd7e19ba58cf4b536f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96ba18b2faa745b6fe189cf772a9f84cbfc";

static const char rfc9001_a2_crypto[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c000004130113"
	"02010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce1"
	"5d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806"
	"048000ffff";

/* ndpi__quic_frags_ch_in_multiple_packets.pcapng frames 1-2: one ClientHello over two Initials. */
static const char ndpi_frag1[] =
	"c30000000108e0ea07d1045fdfdf085bb4b299cb9dcac40044b6b9cce1dff4908dedd93e453b7453113bc0dc71a19ab6"
	"f09d099af923d83e7f22618b8774a6905bc4a8bd7d3e5787673ec7983bee154d266575e89f813f15350401d38b5addc1"
	"3264c0e9291b5e816e1d7a4928e473d46c48a274d99240eb8fde91fff12a0bf71eed4c143383638bdd4a42aa30275f5e"
	"a9140750f95fd16ea2757b2cd615d6f00507761ee0b1fc88f5e75051448d979ffcfe003078ad51785833aeb739b5d0ef"
	"2c876b2c2c57b663230a11e4858643b65b131c01ab4d036950e2a257237d8ada4ca01b8582ed0f016f485314c1bf9b2c"
	"049fbcb8d79d4e493e276540cabc39587155a3b85faa4d5b296bf887edcd94bb23e1a5362f2231f441e654c59cd98524"
	"c57a3d8b5b01653f6605ce91b08894b005a88b318fb9ffbd038a80259aac950bb48534b026e3eedf51cfc226c7f47fc1"
	"436cf1a3304178af87f9fb42d5647f78532e16774b6c4ac00e988c63c703188602d5566ad5b7b4c1471668b4bb0c3001"
	"392a06380b7ec9ec0282bef874e2f5c98f5cf7510558189878f19f63d831fad9af3f0d05d2ef871479ab20a1723ffdf7"
	"2acaa1bff9d127904cb2425f5fe74562c13cd4cea841c2bd351d96a907c74104875274e2dc53fc6eef7db9078804e8c6"
	"eb66beb0e8363b0a1ace81cd955b0a317a1b19a38d6b58166c390348c8fccbbfd2740518a9fb0ec626663173edee6dee"
	"a0c5d6b3f56f929f8dc2b1b44842b85b0a01c66972df2c6df761c694e17fba961669643211ae97c796278d9341381c77"
	"ef996ea74d79307291ca51cfcb5ade7e5a8b875afc4c9f8c7e95d403bd7d7ed79f3b095dd7330c0164cd916b36ad1211"
	"d6d51277393fb10b78227bab669a731076e5ec78599cf95d89693e7faba31153f4e5c18d11abb12d27cf996f3197a88b"
	"aee23c42c7da0c9a2ebacfae6e5f0dea20d34e794c475c9c9ca405b0e437b8573695478970ca0cca1aa967c782f7254b"
	"de223fa839bca1ec5e7a36a4dee42e14570d2b5ce2b9bea0ca69fad2383be489e2134e0c74dc1da950d296f512eed4f8"
	"6d6d7519b98d2088f9e03df2a08cc116c1b81a87922fc939ef79a2fab04a9ff637ebde416bb32f86356fceca8ae40e74"
	"6923c4687f31b0d6d2f188394f821d67f6b1f2475a5175bcbd0677ffac31c47936b1a2d3f45a10298201c21daff21491"
	"02cd5aacf5a4bb8b6c960dc25f4b8d001729d43f55062a125efee5315e287ba97b61790ec55f122402156fddc3e80910"
	"3bd427ecd84fc47b2d5f54a456e653095bd3eb88973b1a85adcb1ef4a4e759b0af075e24043e260a25a4a2a0dd1caf6f"
	"010eba4c51fba72515a7f0f88b9975264edb883086e11721b2f8443ac619c3f80ff484b24d58d1cc5cbbbf91f501a2ea"
	"402504c271fb0286881a7aa803e9ee5e49808de4f4fdf97a46377f867f83f125f0ec4e3b11632f6925cb5f68f0b786a8"
	"723a340a7c2c76adba6f802f4f311541c898ed2c9c469e425402e1b797a5056a4515be8b19fb933ade551cb37f7eaf7a"
	"ae883039caeecd009f00fe2f3b941c641becb599dc835ec6810c27dc2b76713ffb2865c638afed1009a48a6312b74e77"
	"224dbb954f67a68097baa04d7b24568c28bffea0da80de5cbe4a7cb9dcb1eddc39c65737d64069d22694f6c35c468a29"
	"72f654df0322ec77e7ef981b6e1f6d25a7c3ebb3b66055420631dfe9592455fe";

static const char ndpi_frag2[] =
	"c80000000108e0ea07d1045fdfdf085bb4b299cb9dcac40044b6743ffa9c06bb24575ed08f4b89eaed25fa82b0f12dfb"
	"9efc45a30439c5b1a1c2fef0b23c9ba9627f7907de2e21cdf945001727376c69b2f6a4c5d3e5283f245ba7e87014c3bb"
	"0d96f7adab9a5d1b9a0a137bcaffd483cc95d3ce07af120f5708b2b9def98a28d900a7ca483cbe6e3fce76c82c560ee7"
	"df4d20e1de3be6a1ccaea8fc91ef02b2d9a9964264532dc8e1618d66b4dfc027b420ba092644f9153bf4a83876fcbdfc"
	"154e5379401237d4f827d15fbeeeb43f8631e3ae00ea1f9f42ed4bd4e0dbbff6aa03c674ce981a0770af782cfa08d7fc"
	"b8fa17b167c7b5781c1a85c460631acfedd5935ab47e2703c3f62529505bf1a3c4888268155a2fda6cce8c3702a66130"
	"8d2d7a3ad31e07b5a37f04224fec8d525ff2d285fd1cc9ed4e7f58a6b81292adeb92f21479feda58692cee3e577cdb27"
	"529afb33010d06af2a8e27f654fa3af14774edfc0691c395c1ecb010e62822db8ae4d151daf278940836c7a94012b192"
	"6f7a39030db63a3263ea95f61a2029a290a58c2f850c16e93bb1f0f26348bfa7cbcbbafb9a770c1dbe735f8b099e8922"
	"73aefb67e2328951d73325ea90a04008364a0ec356d50590c9551f84501aa19bb69b69466738f534925b029adce9b518"
	"6f19d8c6202c1edf189a82a1042a0150c01fffbde6f3d760c4099101414ba485bb021311e997c1ee7805ef29203203ad"
	"836539cf8c16c50d1a065279ac375c3aaeffc490a993f7c28e9d6fe46b6dd3f07a50c865b4dd00bea897732b682081c2"
	"9f3b0b33ea177dcf728f8c3d3a5004841ea7dc674bb761be7f30bba6a58f0ba30e1802ecf88f5acfb11fb2fc442459e1"
	"da60b17ff34c09a7dc9beffda9fab6ec65aec3fcfcfdc1d6188f4727ad7621ae0f47607b8f67dc0a0df192e6f6088a16"
	"5844631b10c6c670580b74e00d95b4eba9ea7ba9e61a22ee5bb38dabb6ff7119800be3dcb3c53909263ee86e99345838"
	"378663a8d06d062ae30de43dc32ec77a0807a4b6d81cfd1c9018658f7f539d06b18e67cf3ab1595261f548e773bcc0ba"
	"75630098d50985cdd3e949ebed8b32765d8bc527e630df38abd6ac01c43e1b867b680e0f9a106c2a23288dc97807088d"
	"7724e429257b616e94408faf1693836e5417519a6b3ab49b1117af4930bfd8f81fc1507de856648234b89c4961e38af3"
	"704831bf77b41ea404b5c0d606c0d993cd643f3c28f98fd09dc3aea69ba4436566abc439bfa1293d344305ad8ef128ae"
	"c87ae6efacf59de960c3749f41a2fa7937384788abb05524b1fddd1ed40e9b535162e5d7d411cad8e26095acb42daebc"
	"cbfd4aae85949d9f5a7288ecb4308d18fdb9db0782ba274e2b5d9ea712da75114fcd9124b2cfef901aec1af2ffbe9816"
	"60c9145d1d7932ff2392ad31b16e63629103ff05739a3b79e5af1794ed2aae3a1a3aa1f3069000fd9bd9e70f4e090695"
	"c36ecca69c1b869135200293d1a7e347360f9a021c17d105efdb59d3d463891a4819fe43a4dbdada6b951eaf3c473f8d"
	"ff64d9f0a9c5464b67a4d3115d6b0ca88bba72be3d0655ae029e04e652e2472c74a05d76058285cb2333f2e7131d1189"
	"19165c4a453e0feafbc699f1c194bed9665f345a61c09ef54b0388a73fd37a350ea0a44b9a7d03078810bc459eebee9f"
	"fb360496f3f37e7548420fb069d2e39098151b624b727668b614586f1117db25";

#define RFC_DCID "8394c8f03e515708"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	int n = test_hex(hex, out, cap);

	return n < 0 ? 0 : (size_t)n;
}

/* ---- a test-only client: builds Initials with the same primitives the sensor undoes ---- */

static size_t put_varint(uint8_t *p, uint64_t v)
{
	if (v < 64) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v < 16384) {
		p[0] = (uint8_t)(0x40 | v >> 8);
		p[1] = (uint8_t)v;
		return 2;
	}
	p[0] = (uint8_t)(0x80 | v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* A CRYPTO frame (RFC 9000 19.6) carrying msg[off, off + len). */
static size_t put_crypto(uint8_t *p, const uint8_t *msg, size_t off, size_t len)
{
	size_t n = 0;

	p[n++] = 0x06;
	n += put_varint(p + n, off);
	n += put_varint(p + n, len);
	memcpy(p + n, msg + off, len);
	return n + len;
}

struct seal {
	uint32_t version;
	const char *dcid, *scid; /* hex */
	const char *key_dcid;	 /* keys derive from it; NULL: dcid */
	bool server;
	uint64_t pn;
	size_t pn_len;
	uint8_t type; /* wire long packet type bits; 0xff: Initial of the version */
};

static bool aes_gcm_seal(const struct quic_keys *k, uint64_t pn, const uint8_t *aad, size_t aad_len,
			 const uint8_t *pt, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n, i;
	bool ok;

	memcpy(nonce, k->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce) == 1 &&
	     EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
	     EVP_EncryptUpdate(ctx, out, &n, pt, (int)len) == 1 && EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static bool aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;
	bool ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_EncryptUpdate(ctx, out, &n, in, 16) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* Protect one long header packet (RFC 9001 5.3, 5.4.1); returns its length, 0 on failure. */
static size_t seal_initial(const struct seal *s, const uint8_t *payload, size_t plen, uint8_t *out)
{
	uint8_t dcid[20], scid[20], kdcid[20], mask[16];
	size_t dl = unhex(s->dcid, dcid, 20), sl = unhex(s->scid, scid, 20), kl, n = 0, pn_off, i;
	uint8_t type = s->type != 0xff ? s->type : s->version == QUIC_VERSION_2 ? 1 : 0;
	struct quic_keys k;

	kl = unhex(s->key_dcid ? s->key_dcid : s->dcid, kdcid, 20);
	if (quic_initial_keys(s->version, kdcid, kl, s->server, &k))
		return 0;
	out[n++] = (uint8_t)(0xc0 | type << 4 | (s->pn_len - 1));
	out[n++] = (uint8_t)(s->version >> 24);
	out[n++] = (uint8_t)(s->version >> 16);
	out[n++] = (uint8_t)(s->version >> 8);
	out[n++] = (uint8_t)s->version;
	out[n++] = (uint8_t)dl;
	memcpy(out + n, dcid, dl);
	n += dl;
	out[n++] = (uint8_t)sl;
	memcpy(out + n, scid, sl);
	n += sl;
	if (type == (s->version == QUIC_VERSION_2 ? 1 : 0))
		out[n++] = 0; /* no token */
	out[n++] = (uint8_t)(0x40 | (s->pn_len + plen + 16) >> 8);
	out[n++] = (uint8_t)(s->pn_len + plen + 16);
	pn_off = n;
	for (i = 0; i < s->pn_len; i++)
		out[n++] = (uint8_t)(s->pn >> (8 * (s->pn_len - 1 - i)));
	if (!aes_gcm_seal(&k, s->pn, out, n, payload, plen, out + n))
		return 0;
	n += plen + 16;
	if (!aes_ecb(k.hp, out + pn_off + 4, mask))
		return 0;
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < s->pn_len; i++)
		out[pn_off + i] ^= mask[1 + i];
	return n;
}

/* A ClientHello with SNI and an X25519MLKEM768 key share (1216 + 32 bytes): too big for one Initial. */
static size_t build_pq_hello(uint8_t *m, const char *sni)
{
	size_t n = 4, ext_len_at, sl = strlen(sni), i;

	m[0] = 1;
	m[n++] = 3, m[n++] = 3;
	for (i = 0; i < 32; i++)
		m[n++] = (uint8_t)(0xa0 + i);
	m[n++] = 0;				       /* session id */
	m[n++] = 0, m[n++] = 6;			       /* suites */
	m[n++] = 0x13, m[n++] = 1, m[n++] = 0x13, m[n++] = 2, m[n++] = 0x13, m[n++] = 3;
	m[n++] = 1, m[n++] = 0;			       /* compression: null */
	ext_len_at = n;
	n += 2;
	m[n++] = 0, m[n++] = 0;			       /* server_name */
	m[n++] = 0, m[n++] = (uint8_t)(sl + 5);
	m[n++] = 0, m[n++] = (uint8_t)(sl + 3), m[n++] = 0, m[n++] = 0, m[n++] = (uint8_t)sl;
	memcpy(m + n, sni, sl);
	n += sl;
	m[n++] = 0, m[n++] = 0x10, m[n++] = 0, m[n++] = 5, m[n++] = 0, m[n++] = 3;
	m[n++] = 2, m[n++] = 'h', m[n++] = '3';	       /* ALPN h3 */
	m[n++] = 0, m[n++] = 0x2b, m[n++] = 0, m[n++] = 3, m[n++] = 2, m[n++] = 3, m[n++] = 4;
	m[n++] = 0, m[n++] = 0x0a, m[n++] = 0, m[n++] = 6, m[n++] = 0, m[n++] = 4;
	m[n++] = 0x11, m[n++] = 0xec, m[n++] = 0, m[n++] = 0x1d;
	m[n++] = 0, m[n++] = 0x33;		       /* key_share */
	m[n++] = (1258 >> 8), m[n++] = (uint8_t)1258, m[n++] = (1256 >> 8), m[n++] = (uint8_t)1256;
	m[n++] = 0x11, m[n++] = 0xec, m[n++] = (1216 >> 8), m[n++] = (uint8_t)1216;
	for (i = 0; i < 1216; i++)
		m[n++] = (uint8_t)(i * 7 + 1);
	m[n++] = 0, m[n++] = 0x1d, m[n++] = 0, m[n++] = 32;
	for (i = 0; i < 32; i++)
		m[n++] = (uint8_t)(i * 3);
	m[ext_len_at] = (uint8_t)((n - ext_len_at - 2) >> 8);
	m[ext_len_at + 1] = (uint8_t)(n - ext_len_at - 2);
	m[1] = (uint8_t)((n - 4) >> 16), m[2] = (uint8_t)((n - 4) >> 8), m[3] = (uint8_t)(n - 4);
	return n;
}

static bool raw_hello_is(const struct quic_asm *a, const uint8_t *want, size_t len)
{
	const uint8_t *msg = NULL;
	size_t n = 0;
	bool ok = true;

	ok &= EXPECT_EQ(quic_asm_client_hello_raw(a, &msg, &n), 0, "client_hello_raw");
	ok &= EXPECT_EQ(n, len, "ClientHello length");
	if (ok)
		ok &= EXPECT_MEM(msg, want, len, "ClientHello bytes");
	return ok;
}

/* ---- RFC vectors ---- */

/* RFC 9001 A.1: client and server Initial keys for DCID 8394c8f03e515708. */
static bool test_keys_v1(void)
{
	uint8_t dcid[8], want[16];
	struct quic_keys k;
	bool ok = true;

	unhex(RFC_DCID, dcid, 8);
	ok &= EXPECT_EQ(quic_initial_keys(QUIC_VERSION_1, dcid, 8, false, &k), 0, "client keys");
	ok &= EXPECT_MEM(k.key, want, unhex("1f369613dd76d5467730efcbe3b1a22d", want, 16), "client key");
	ok &= EXPECT_MEM(k.iv, want, unhex("fa044b2f42a3fd3b46fb255c", want, 16), "client iv");
	ok &= EXPECT_MEM(k.hp, want, unhex("9f50449e04a0e810283a1e9933adedd2", want, 16), "client hp");
	ok &= EXPECT_EQ(quic_initial_keys(QUIC_VERSION_1, dcid, 8, true, &k), 0, "server keys");
	ok &= EXPECT_MEM(k.key, want, unhex("cf3a5331653c364c88f0f379b6067e37", want, 16), "server key");
	ok &= EXPECT_MEM(k.iv, want, unhex("0ac1493ca1905853b0bba03e", want, 16), "server iv");
	ok &= EXPECT_MEM(k.hp, want, unhex("c206b8d9b9f0f37644430b490eeaa314", want, 16), "server hp");
	ok &= EXPECT_EQ(quic_initial_keys(0xff00001d, dcid, 8, false, &k), -EPROTONOSUPPORT, "draft-29");
	return ok;
}

/* RFC 9369 A.1: v2 salt and "quicv2 *" labels. */
static bool test_keys_v2(void)
{
	uint8_t dcid[8], want[16];
	struct quic_keys k;
	bool ok = true;

	unhex(RFC_DCID, dcid, 8);
	ok &= EXPECT_EQ(quic_initial_keys(QUIC_VERSION_2, dcid, 8, false, &k), 0, "client keys");
	ok &= EXPECT_MEM(k.key, want, unhex("8b1a0bc121284290a29e0971b5cd045d", want, 16), "client key");
	ok &= EXPECT_MEM(k.iv, want, unhex("91f73e2351d8fa91660e909f", want, 16), "client iv");
	ok &= EXPECT_MEM(k.hp, want, unhex("45b95e15235d6f45a6b19cbcb0294ba9", want, 16), "client hp");
	ok &= EXPECT_EQ(quic_initial_keys(QUIC_VERSION_2, dcid, 8, true, &k), 0, "server keys");
	ok &= EXPECT_MEM(k.key, want, unhex("82db637861d55e1d011f19ea71d5d2a7", want, 16), "server key");
	ok &= EXPECT_MEM(k.iv, want, unhex("dd13c276499c0249d3310652", want, 16), "server iv");
	ok &= EXPECT_MEM(k.hp, want, unhex("edf6d05c83121201b436e16877593c3a", want, 16), "server hp");
	return ok;
}

/* The RFC's payload: its CRYPTO frame, then PADDING to 1162 bytes. */
static size_t rfc_payload(uint8_t *p)
{
	size_t n = unhex(rfc9001_a2_crypto, p, 1162);

	memset(p + n, 0, 1162 - n);
	return 1162;
}

/* The test encryptor reproduces both RFC packets bit for bit, so what it builds below is real QUIC. */
static bool test_sealer_matches_rfc(void)
{
	uint8_t pt[1162], out[1300], want[1300];
	struct seal s = { QUIC_VERSION_1, RFC_DCID, "", NULL, false, 2, 4, 0xff };
	bool ok = true;
	size_t n;

	rfc_payload(pt);
	n = seal_initial(&s, pt, sizeof(pt), out);
	ok &= EXPECT_EQ(n, unhex(rfc9001_a2, want, sizeof(want)), "v1 length");
	ok &= EXPECT_MEM(out, want, 1200, "v1 packet");
	s.version = QUIC_VERSION_2;
	n = seal_initial(&s, pt, sizeof(pt), out);
	ok &= EXPECT_EQ(n, unhex(rfc9369_a2, want, sizeof(want)), "v2 length");
	ok &= EXPECT_MEM(out, want, 1200, "v2 packet");
	return ok;
}

static bool check_rfc_packet(const char *hex, uint32_t version)
{
	uint8_t pkt[1300], crypto[300];
	size_t n = unhex(hex, pkt, sizeof(pkt)), cn = unhex(rfc9001_a2_crypto, crypto, sizeof(crypto));
	struct tls_client_hello ch;
	struct quic_asm a;
	uint32_t v = 0;
	bool ok = true;

	quic_asm_init(&a);
	ok &= EXPECT_EQ(n, 1200, "packet length");
	ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, n), 1, "feed");
	ok &= EXPECT_EQ(a.version, version, "version");
	ok &= raw_hello_is(&a, crypto + 4, cn - 4); /* the frame's data follows 06 00 40f1 */
	ok &= EXPECT_EQ(quic_asm_client_hello(&a, &ch, &v), 0, "client_hello");
	ok &= EXPECT_EQ(v, version, "client_hello version");
	ok &= EXPECT_STR(ch.sni, "example.com", "sni");
	ok &= EXPECT_EQ(ch.n_suites, 2, "suites");
	ok &= EXPECT_EQ(ch.suites[0], 0x1301, "suite 0");
	ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, n), 1, "feed after done");
	return ok;
}

/* RFC 9001 A.2: the protected client Initial opens to the CRYPTO frame shown in the RFC. */
static bool test_rfc9001_client_initial(void)
{
	return check_rfc_packet(rfc9001_a2, QUIC_VERSION_1);
}

/* RFC 9369 A.2: the same for v2 (first byte 0xd7: Initial is type 0b01). */
static bool test_rfc9369_client_initial(void)
{
	return check_rfc_packet(rfc9369_a2, QUIC_VERSION_2);
}

/* One flipped ciphertext bit fails the AEAD tag: -EBADMSG, and no state is kept. */
static bool test_tampered(void)
{
	uint8_t pkt[1300];
	size_t n = unhex(rfc9001_a2, pkt, sizeof(pkt));
	struct quic_asm a;
	bool ok = true;

	quic_asm_init(&a);
	pkt[600] ^= 0x01;
	ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, n), -EBADMSG, "tampered");
	ok &= EXPECT_EQ(a.version, 0, "no state from a failed packet");
	pkt[600] ^= 0x01;
	ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, n), 1, "intact copy after");
	return ok;
}

/* ---- reassembly across packets ---- */

#define PQ_SNI "pq.example.net"
#define PAD_TO 1100

struct pq {
	uint8_t ch[2048];
	size_t chl;
	uint8_t pt[2048]; /* frames, zero-filled: the rest is PADDING */
	size_t ptl;
};

static void pq_begin(struct pq *q)
{
	memset(q->pt, 0, sizeof(q->pt));
	q->ptl = 0;
}

static void pq_crypto(struct pq *q, size_t off, size_t len, uint8_t garble)
{
	size_t i;

	q->ptl += put_crypto(q->pt + q->ptl, q->ch, off, len);
	for (i = q->ptl - len; garble && i < q->ptl; i++)
		q->pt[i] ^= garble;
}

static size_t pq_seal(struct pq *q, const struct seal *s, uint8_t *out)
{
	return seal_initial(s, q->pt, PAD_TO, out); /* zero bytes after the frames are PADDING */
}

static bool check_pq_hello(const struct quic_asm *a, const struct pq *q, uint32_t version)
{
	struct tls_client_hello ch;
	uint32_t v = 0;
	bool ok = raw_hello_is(a, q->ch, q->chl);

	ok &= EXPECT_EQ(quic_asm_client_hello(a, &ch, &v), 0, "client_hello");
	ok &= EXPECT_EQ(v, version, "version");
	ok &= EXPECT_STR(ch.sni, PQ_SNI, "sni");
	ok &= EXPECT_EQ(ch.n_key_shares ? ch.key_shares[0] : ch.groups[0], 0x11ec, "X25519MLKEM768 first");
	return ok;
}

/*
 * A post-quantum ClientHello over two Initials, CRYPTO frames out of order
 * inside a packet and overlapping across packets; the overlapping bytes of
 * the second copy are corrupted, so only "first copy wins" gives the right
 * message. Fed the other way round (intact copies) it also completes.
 */
static bool test_two_initials_out_of_order(void)
{
	struct seal s1 = { QUIC_VERSION_1, "0011223344556677", "aabbcc", NULL, false, 0, 1, 0xff };
	struct seal s2 = s1;
	uint8_t p1[1300], p2[1300];
	size_t n1, n2;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	q.chl = build_pq_hello(q.ch, PQ_SNI);
	ok &= EXPECT_TRUE(q.chl > 1300, "hello spans two packets");
	s2.pn = 1;
	pq_begin(&q);
	pq_crypto(&q, 700, q.chl - 700, 0);
	pq_crypto(&q, 0, 400, 0);
	n1 = pq_seal(&q, &s1, p1);
	pq_begin(&q);
	q.pt[q.ptl++] = 0x01; /* PING */
	pq_crypto(&q, 350, 50, 0xff); /* duplicate of [350, 400): corrupted */
	pq_crypto(&q, 400, 300, 0);
	pq_crypto(&q, 700, 50, 0x55); /* duplicate of [700, 750): corrupted */
	n2 = pq_seal(&q, &s2, p2);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p1, n1), 0, "first Initial");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p2, n2), 1, "second Initial");
	ok &= check_pq_hello(&a, &q, QUIC_VERSION_1);

	pq_begin(&q);
	pq_crypto(&q, 350, 350, 0);
	n2 = pq_seal(&q, &s2, p2);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p2, n2), 0, "second Initial first");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p1, n1), 1, "then the first");
	ok &= check_pq_hello(&a, &q, QUIC_VERSION_1);
	return ok;
}

/* Two v2 Initials, a 0-RTT packet and trailing zeros coalesced in one datagram (RFC 9000 12.2). */
static size_t build_coalesced(struct pq *q, uint8_t *dgram, size_t *end_of_first, size_t *end_of_second)
{
	struct seal s = { QUIC_VERSION_2, "0102030405060708", "", NULL, false, 0, 2, 0xff };
	size_t n = 0;

	q->chl = build_pq_hello(q->ch, PQ_SNI);
	pq_begin(q);
	pq_crypto(q, 0, 600, 0);
	n += seal_initial(&s, q->pt, 700, dgram + n);
	*end_of_first = n;
	pq_begin(q);
	pq_crypto(q, 600, q->chl - 600, 0);
	s.pn = 1;
	n += seal_initial(&s, q->pt, q->ptl, dgram + n);
	*end_of_second = n;
	s.type = 2; /* v2 0-RTT */
	s.pn = 2;
	n += seal_initial(&s, q->pt, 100, dgram + n);
	memset(dgram + n, 0, 20);
	return n + 20;
}

static bool test_coalesced(void)
{
	uint8_t dgram[4096];
	size_t n, first, second;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	n = build_coalesced(&q, dgram, &first, &second);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, dgram, n), 1, "coalesced datagram");
	ok &= check_pq_hello(&a, &q, QUIC_VERSION_2);
	return ok;
}

/*
 * Once the server answered, the client's next Initial addresses the
 * server's CID, but its keys still derive from the first DCID (RFC 9001 5.2).
 */
static bool test_dcid_change(void)
{
	struct seal s1 = { QUIC_VERSION_1, "0011223344556677", "aabbcc", NULL, false, 0, 1, 0xff };
	struct seal s2 = { QUIC_VERSION_1, "c0ffee00", "aabbcc", "0011223344556677", false, 1, 1, 0xff };
	uint8_t p1[1300], p2[1300];
	size_t n1, n2;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	q.chl = build_pq_hello(q.ch, PQ_SNI);
	pq_begin(&q);
	pq_crypto(&q, 0, 1000, 0);
	n1 = pq_seal(&q, &s1, p1);
	pq_begin(&q);
	pq_crypto(&q, 1000, q.chl - 1000, 0);
	n2 = pq_seal(&q, &s2, p2);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p1, n1), 0, "first");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p2, n2), 1, "second, new DCID, old keys");
	ok &= check_pq_hello(&a, &q, QUIC_VERSION_1);
	return ok;
}

/* A server's Initial (server keys, addressed to the client's SCID) is passed over, not an error. */
static bool test_server_initial_ignored(void)
{
	struct seal s1 = { QUIC_VERSION_1, "0011223344556677", "aabbcc", NULL, false, 0, 1, 0xff };
	struct seal sv = { QUIC_VERSION_1, "aabbcc", "5e5e5e5e", "0011223344556677", true, 0, 2, 0xff };
	struct seal s2 = { QUIC_VERSION_1, "5e5e5e5e", "aabbcc", "0011223344556677", false, 1, 1, 0xff };
	uint8_t p1[1300], pv[1300], p2[1300];
	size_t n1, nv, n2;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	q.chl = build_pq_hello(q.ch, PQ_SNI);
	pq_begin(&q);
	pq_crypto(&q, 0, 1000, 0);
	n1 = pq_seal(&q, &s1, p1);
	pq_begin(&q);
	q.pt[q.ptl++] = 0x01;
	nv = pq_seal(&q, &sv, pv);
	pq_begin(&q);
	pq_crypto(&q, 1000, q.chl - 1000, 0);
	n2 = pq_seal(&q, &s2, p2);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, pv, nv), -EBADMSG, "server Initial before any client one");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p1, n1), 0, "client");
	ok &= EXPECT_EQ(quic_asm_feed(&a, pv, nv), 0, "server Initial");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p2, n2), 1, "client, to the server's CID");
	ok &= check_pq_hello(&a, &q, QUIC_VERSION_1);
	return ok;
}

/*
 * After a Retry the client keys its Initials with the Retry's SCID (RFC
 * 9001 5.2) and sends its ClientHello again from offset 0, whether or not
 * the sensor saw the Retry.
 */
static bool test_retry(void)
{
	struct seal s1 = { QUIC_VERSION_1, "0011223344556677", "aabbcc", NULL, false, 0, 1, 0xff };
	struct seal s2 = { QUIC_VERSION_1, "4242424242424242", "aabbcc", NULL, false, 1, 1, 0xff };
	uint8_t p1[1300], p2[2048], retry[64];
	size_t n1, n2, nr;
	struct quic_asm a;
	struct pq q;
	bool ok = true;
	int seen;

	nr = unhex("f0 00000001 03aabbcc 084242424242424242 746f6b656e 00112233445566778899aabbccddeeff", retry,
		   sizeof(retry));
	q.chl = build_pq_hello(q.ch, PQ_SNI);
	pq_begin(&q);
	pq_crypto(&q, 0, 1000, 0);
	n1 = pq_seal(&q, &s1, p1);
	pq_begin(&q);
	pq_crypto(&q, 0, q.chl, 0);
	n2 = seal_initial(&s2, q.pt, q.ptl, p2);
	for (seen = 0; seen < 2; seen++) {
		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_feed(&a, p1, n1), 0, "first Initial");
		if (seen)
			ok &= EXPECT_EQ(quic_asm_feed(&a, retry, nr), 0, "Retry");
		ok &= EXPECT_EQ(quic_asm_feed(&a, p2, n2), 1, "Initial after Retry");
		ok &= check_pq_hello(&a, &q, QUIC_VERSION_1);
	}
	return ok;
}

/* RFC 9000 A.3: with 290 seen, a 1-byte packet number 0x2c is 300. */
static bool test_packet_number_recovery(void)
{
	struct seal s = { QUIC_VERSION_1, "0011223344556677", "", NULL, false, 0, 1, 0xff };
	uint8_t p[1300];
	size_t n;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	q.chl = build_pq_hello(q.ch, PQ_SNI);
	quic_asm_init(&a);
	pq_begin(&q);
	pq_crypto(&q, 0, 1000, 0);
	n = pq_seal(&q, &s, p);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p, n), 0, "pn 0");
	pq_begin(&q);
	q.pt[q.ptl++] = 0x01;
	s.pn = 290;
	s.pn_len = 2;
	n = pq_seal(&q, &s, p);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p, n), 0, "pn 290");
	pq_begin(&q);
	pq_crypto(&q, 1000, q.chl - 1000, 0);
	s.pn = 300;
	s.pn_len = 1;
	n = pq_seal(&q, &s, p);
	ok &= EXPECT_EQ(quic_asm_feed(&a, p, n), 1, "pn 300 sent as 0x2c");
	return ok;
}

/* A capture with truth: the ClientHello spans the two Initials (tshark: frames 1-2, no SNI). */
static bool test_capture_two_initials(void)
{
	uint8_t d1[1300], d2[1300];
	size_t n1 = unhex(ndpi_frag1, d1, sizeof(d1)), n2 = unhex(ndpi_frag2, d2, sizeof(d2));
	static const uint16_t exts[] = { 51, 16, 43, 13, 10, 57, 45 };
	struct tls_client_hello ch;
	struct quic_asm a;
	uint32_t v = 0;
	bool ok = true;
	size_t i;

	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, d1, n1), 0, "frame 1");
	ok &= EXPECT_EQ(quic_asm_feed(&a, d2, n2), 1, "frame 2");
	ok &= EXPECT_EQ(quic_asm_client_hello(&a, &ch, &v), 0, "client_hello");
	ok &= EXPECT_EQ(v, QUIC_VERSION_1, "version");
	ok &= EXPECT_EQ(ch.has_sni, false, "no sni");
	ok &= EXPECT_EQ(ch.n_alpn, 18, "alpn count");
	ok &= EXPECT_STR(ch.alpn_buf + ch.alpn_off[0], "h3-34", "alpn 0");
	ok &= EXPECT_STR(ch.alpn_buf + ch.alpn_off[17], "hq-interop", "alpn 17");
	ok &= EXPECT_EQ(ch.n_exts, 7, "extensions");
	for (i = 0; i < 7 && i < ch.n_exts; i++)
		ok &= EXPECT_EQ(ch.exts[i], exts[i], "extension");
	return ok;
}

/* ---- what is not ours, or broken ---- */

struct dgram_case {
	const char *name;
	const char *hex;
	int want;
};

static const struct dgram_case not_initial_cases[] = {
	{ "empty", "", -ENODATA },
	{ "version negotiation", "80 00000000 08 0011223344556677 03 aabbcc 00000001 6b3343cf", -EPROTONOSUPPORT },
	{ "unknown version", "c0 faceb002 08 0011223344556677 00 00 4100 00", -EPROTONOSUPPORT },
	{ "draft-29", "c0 ff00001d 08 0011223344556677 00 00 4100 00", -EPROTONOSUPPORT },
	{ "short header", "40 0011223344556677 00112233", -EPROTONOSUPPORT },
	{ "TLS record on 443", "16 03 01 00 05 01 00 00 01 00", -EPROTONOSUPPORT },
	{ "DNS query", "1234 0100 0001 0000 0000 0000 03777777 00 0001 0001", -EPROTONOSUPPORT },
	{ "v1 header cut", "c0 00000001 08 0011", -ENODATA },
	{ "DCID of 21 bytes", "c0 00000001 15 000102030405060708090a0b0c0d0e0f1011121314 00 00 00", -EBADMSG },
	{ "Length past datagram", "c0 00000001 08 0011223344556677 00 00 4400 00000000", -ENODATA },
	{ "too short to sample", "c0 00000001 08 0011223344556677 00 00 08 0000000000000000", -EBADMSG },
	{ "v1 Handshake only", "e0 00000001 08 0011223344556677 00 05 0000000000", 0 },
};

static bool test_not_initial(void)
{
	uint8_t buf[256];
	struct quic_asm a;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(not_initial_cases) / sizeof(not_initial_cases[0]); i++) {
		const struct dgram_case *c = &not_initial_cases[i];
		size_t n = unhex(c->hex, buf, sizeof(buf));

		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_feed(&a, buf, n), c->want, c->name);
	}
	return ok;
}

/* Once a flow has a decrypted Initial, 1-RTT and unknown packets are just "need more". */
static bool test_short_header_mid_flow(void)
{
	struct seal s = { QUIC_VERSION_1, "0011223344556677", "", NULL, false, 0, 1, 0xff };
	uint8_t p[1300], sh[16], vn[32];
	size_t n, nsh = unhex("40 0011223344556677", sh, sizeof(sh));
	size_t nvn = unhex("80 00000000 00 08 0011223344556677 6b3343cf", vn, sizeof(vn));
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	q.chl = build_pq_hello(q.ch, PQ_SNI);
	pq_begin(&q);
	pq_crypto(&q, 0, 1000, 0);
	n = pq_seal(&q, &s, p);
	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_feed(&a, sh, nsh), -EPROTONOSUPPORT, "short header first");
	ok &= EXPECT_EQ(quic_asm_feed(&a, p, n), 0, "Initial");
	ok &= EXPECT_EQ(quic_asm_feed(&a, sh, nsh), 0, "short header after");
	ok &= EXPECT_EQ(quic_asm_feed(&a, vn, nvn), 0, "version negotiation after");
	return ok;
}

/* Random datagrams on UDP/443: codes only, never a ClientHello, never a crash (xorshift, fixed seed). */
static bool test_garbage(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t buf[1400];
	int counts[4] = { 0 }, i;
	struct quic_asm a;
	bool ok = true;
	size_t j, n;

	for (i = 0; i < 20000; i++) {
		int r;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % sizeof(buf);
		for (j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[j] = (uint8_t)x;
		}
		if (i % 2 && n > 5) { /* half of them: a real version, so they reach header checks and the AEAD */
			buf[0] |= 0x80;
			buf[1] = 0, buf[2] = 0, buf[3] = 0, buf[4] = 1;
		}
		quic_asm_init(&a);
		r = quic_asm_feed(&a, buf, n);
		counts[r == -EPROTONOSUPPORT ? 0 : r == -EBADMSG ? 2 : r == -ENODATA || r == 0 ? 1 : 3]++;
	}
	ok &= EXPECT_EQ(counts[3], 0, "codes other than not-ours/truncated/malformed/nothing");
	ok &= EXPECT_TRUE(counts[0] > 5000 && counts[2] > 100, "both paths exercised");
	return ok;
}

/* Every prefix of a packet returns a code; a prefix of a coalesced datagram keeps what it holds. */
static bool test_truncation_sweep(void)
{
	uint8_t pkt[1300], dgram[4096];
	size_t n, len, first, second, total;
	struct quic_asm a;
	struct pq q;
	bool ok = true;

	n = unhex(rfc9001_a2, pkt, sizeof(pkt));
	for (len = 0; len < n; len++) {
		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, len), -ENODATA, "v1 prefix");
	}
	n = unhex(rfc9369_a2, pkt, sizeof(pkt));
	for (len = 0; len < n; len++) {
		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_feed(&a, pkt, len), -ENODATA, "v2 prefix");
	}
	total = build_coalesced(&q, dgram, &first, &second);
	for (len = 0; len <= total && ok; len++) {
		int want = len >= second ? 1 : len >= first ? 0 : -ENODATA;

		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_feed(&a, dgram, len), want, "coalesced prefix");
	}
	return ok;
}

/* ---- the frame parser and CRYPTO buffer, straight (the fuzzers' second mode) ---- */

struct frames_case {
	const char *name;
	const char *hex;
	int want;
};

#define CH2 "06 00 06 01 000002 aabb" /* CRYPTO at 0: a ClientHello with a 2-byte body */

static const struct frames_case frames_cases[] = {
	{ "empty", "", 0 },
	{ "padding and ping", "00 00 01 00", 0 },
	{ "hello", CH2, 1 },
	{ "ack", "02 05 00 00 02 " CH2, 1 },
	{ "ack with ranges", "02 0a 00 02 01 01 01 00 00 " CH2, 1 },
	{ "ack ecn", "03 05 00 00 00 01 02 03 " CH2, 1 },
	{ "connection close", "1c 0a 06 03 616263 " CH2, 1 },
	{ "hello split and reversed", "06 03 03 0002aa 06 00 03 010000 06 06 00 06 01 bb", 1 },
	{ "stream frame stops the walk", "08 00 01 61 " CH2, 0 },
	{ "ack range count lies", "02 05 00 4fff 00 01 01 " CH2, 0 },
	{ "close reason past end", "1c 00 00 20 61", 0 },
	{ "crypto length past end", "06 00 10 01 000002", 0 },
	{ "server hello", "06 00 04 02 000000", -EBADMSG },
	{ "hello of 16 MiB", "06 00 04 01 ffffff", -EMSGSIZE },
	{ "hello fills the buffer", "06 00 04 01 003ffc", 0 },
	{ "crypto beyond the buffer", "06 80004000 01 aa", 0 },
	{ "8-byte offset, far out", "06 c000000000010000 01 aa " CH2, 1 },
	{ "8-byte offset 0", "06 c000000000000000 06 01 000002 aabb", 1 },
};

static bool test_frames(void)
{
	uint8_t buf[256];
	struct quic_asm a;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(frames_cases) / sizeof(frames_cases[0]); i++) {
		const struct frames_case *c = &frames_cases[i];
		size_t n = unhex(c->hex, buf, sizeof(buf));

		quic_asm_init(&a);
		ok &= EXPECT_EQ(quic_asm_frames(&a, buf, n), c->want, c->name);
	}
	return ok;
}

/* Data past QUIC_CRYPTO_MAX is dropped and flagged; the byte before the edge is kept. */
static bool test_crypto_edge(void)
{
	uint8_t buf[32];
	struct quic_asm a;
	bool ok = true;

	quic_asm_init(&a);
	ok &= EXPECT_EQ(quic_asm_frames(&a, buf, unhex("06 7fff 02 aabb", buf, sizeof(buf))), 0, "straddles the edge");
	ok &= EXPECT_EQ(a.overflow, true, "overflow");
	ok &= EXPECT_EQ(a.crypto[QUIC_CRYPTO_MAX - 1], 0xaa, "last byte kept");
	ok &= EXPECT_EQ(a.contig, 0, "nothing from 0");
	ok &= EXPECT_EQ(quic_asm_frames(&a, buf, unhex("06 00 02 0100", buf, sizeof(buf))), 0, "header part");
	ok &= EXPECT_EQ(a.contig, 2, "contig");
	ok &= EXPECT_EQ(quic_asm_frames(&a, buf, unhex("06 01 01 ff", buf, sizeof(buf))), 0, "first copy kept");
	ok &= EXPECT_EQ(a.crypto[1], 0x00, "byte 1 from the first copy");
	ok &= EXPECT_EQ(quic_asm_frames(&a, buf, unhex("06 02 03 0001aa", buf, sizeof(buf))), 1, "complete");
	return ok;
}

int main(void)
{
	RUN(test_keys_v1);
	RUN(test_keys_v2);
	RUN(test_sealer_matches_rfc);
	RUN(test_rfc9001_client_initial);
	RUN(test_rfc9369_client_initial);
	RUN(test_tampered);
	RUN(test_two_initials_out_of_order);
	RUN(test_coalesced);
	RUN(test_dcid_change);
	RUN(test_server_initial_ignored);
	RUN(test_retry);
	RUN(test_packet_number_recovery);
	RUN(test_capture_two_initials);
	RUN(test_not_initial);
	RUN(test_short_header_mid_flow);
	RUN(test_garbage);
	RUN(test_truncation_sweep);
	RUN(test_frames);
	RUN(test_crypto_edge);
	return test_failures != 0;
}
