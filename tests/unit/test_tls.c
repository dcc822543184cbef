/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_tls.c - TLS records, hellos and JA3/JA4: tables of hand-built and captured vectors. */
#include <errno.h>

#include "test.h"
#include "l7/tls.h"
#include "l7/tlsrec.h"

TEST_MAIN_DEFINE;

/*
 * Hand-built ClientHello (226 bytes, one record), GREASE in every list RFC 8701
 * allows: suites 0a0a, extensions 1a1a (empty) and 7a7a (last), groups 2a2a,
 * signature_algorithms 3a3a, ALPN "\x4a\x4a" before h2 and http/1.1, versions
 * 5a5a, key_share 6a6a; SNI example.com, ECH outer extension, session id eeee.
 */
#define GREASE_CH                                                                                          \
	"16030100dd010000d90303101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f02eeee000a0a0a" \
	"13011302c02b00ff010000a41a1a000000000010000e00000b6578616d706c652e636f6d000a000800062a2a001d0017000b" \
	"00020100000d000a00083a3a04030804040100100011000f024a4a02683208687474702f312e31002b0007065a5a03040303" \
	"0033002b00296a6a000100001d00203333333333333333333333333333333333333333333333333333333333333333002d00" \
	"020101fe0d000e000001000142000000044142434a7a7a000100"
/* The same hello over three records: 3 bytes (half a handshake header), 97 bytes, the rest. */
#define GREASE_SPLIT3                                                                                      \
	"16030100030100001603030061d90303101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f02ee" \
	"ee000a0a0a13011302c02b00ff010000a41a1a000000000010000e00000b6578616d706c652e636f6d000a000800062a2a00" \
	"1d0017000b000201000016030300790d000a00083a3a04030804040100100011000f024a4a02683208687474702f312e3100" \
	"2b0007065a5a030403030033002b00296a6a000100001d002033333333333333333333333333333333333333333333333333" \
	"33333333333333002d00020101fe0d000e000001000142000000044142434a7a7a000100"
#define GREASE_SPLIT3_REC1 "1603010003010000"
#define GREASE_JA3_FULL "771,4865-4866-49195-255,0-10-11-13-16-43-51-45-65037,29-23,0"
#define GREASE_JA4 "t13d0409h2_d71680ff791e_5d5d2eb3b2b0"

/* Server flights. HRR (selected_group 0x0017), CCS, ServerHello (x25519), all TLS 1.3. */
#define SERVER_HRR                                                                                         \
	"160303003a020000360303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c02eeee13020000" \
	"0c002b00020304003300020017140303000101160303005c0200005803035555555555555555555555555555555555555555" \
	"55555555555555555555555502eeee130200002e00330024001d002044444444444444444444444444444444444444444444" \
	"44444444444444444444002b00020304"
/* TLS 1.2: ServerHello (renegotiation_info, extended_master_secret, ALPN h2), Certificate, ServerHelloDone in one record. */
#define SERVER_TLS12                                                                                       \
	"16030300530200003c0303666666666666666666666666666666666666666666666666666666666666666602eeee13020000" \
	"12ff01000100001700000010000500030268320b00000b00000800000530030201000e000000"
#define CCS "140303000101"
#define ALERT "15030300020228"
#define APPDATA "1703030005aabbccddee"

/* ndpi__chrome.pcap frame 4: Chrome, GREASE in suites, extensions, groups, versions, key_share */
static const char hex_chrome[] =
	"1603010200010001fc0303d77aa0f252cff8ff81a9c82edc42621f8c80d83b0322361c96ae2f2bda7849ce207094dfde2fae"
	"965e90337a4b4c5c840b86caabaca5ab87a6e290440145ae762900209a9a130313011302cca9cca8c02bc02fc02cc030c013"
	"c014009c009d002f0035010001934a4a000000000013001100000e7777772e6969742e636e722e697400170000ff01000100"
	"000a000a00086a6a001d00170018000b00020100002300000010000e000c02683208687474702f312e310005000501000000"
	"00000d0012001004030804040105030805050108060601001200000033002b00296a6a000100001d00203af18d95cb86205f"
	"04c0a3e2b8c68b9026c6a90ef630fe20a68d31ea2525b648002d00020101002b000b0a6a6a0304030303020301001b000302"
	"00024469000500030268326a6a000100001500c5000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000";

/* ndpi__sites.pcapng frame 70: Firefox, delegated_credentials (RFC 9345) after status_request */
static const char hex_firefox[] =
	"1603010200010001fc030347a8a8397dff69378cfa985e245a9aaa32a29a1f1f97b8c7aab38dad35b57b2d20a149f12aa7a6"
	"0f46d2cc64c2e640da84b658f21130c77f46f0a330dd12c7426f0024130113031302c02bc02fcca9cca8c02cc030c00ac009"
	"c013c014009c009d002f0035000a0100018f00000019001700001475706c6f61642e77696b696d656469612e6f7267001700"
	"00ff01000100000a000e000c001d00170018001901000101000b00020100002300000010000e000c02683208687474702f31"
	"2e310005000501000000000022000a000804030503060302030033006b0069001d0020bf79eeaa2df36cbec8c9c08cfb55c5"
	"27b2108c58c71bc3323c2dfaa017e5343c0017004104577e3f2060462a0bf5aa0350594af0739dc322369e6e958d83df03ee"
	"e92025369d95e6f453db858c079081a20a9572493d2b36e9fa3927f3c13d450117ee0e3d002b00050403040303000d001800"
	"1604030503060308040805080604010501060102030201002d00020101001c00024001001500800000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000";

/* zeek__tls13-ech.pcap frame 7: ECH (0xfe0d) with the outer SNI cloudflare-ech.com */
static const char hex_ech[] =
	"1603010200010001fc0303d820986a1fb4dc3a70fac91f1359ff5e320c6a5e07397ab36f8c513be4585f5d207c77f968ecbe"
	"da040598f47af5265fb5f0f5ef3279f08b43d03c31a57ce0c63000202a2a130113021303c02bc02fc02cc030cca9cca8c013"
	"c014009c009d002f003501000193dada0000ff010001000010000e000c02683208687474702f312e31000d00120010040308"
	"040401050308050501080606010033002b00291a1a000100001d0020231cb3a7bde0d15d97dfdfc4d315b112899e9480d1dc"
	"7a0e739c4058bbe7276d002d0002010144690005000302683200230000002b0007068a8a03040303000a000a00081a1a001d"
	"00170018fe0d00ba0000010001d10020cce5c83299bb8dffdb74bafd0a1d524b82973e224c12999beed169ee7a9ad67d0090"
	"0b7b2dc3b17adb2eabc1f7fabb61bdd5db777336a9da3679c5373ff69f0087b9453bd3ec42b6d17b1b7d024cd7c4b627d1b0"
	"cd3ae9fbe5422f132187789d6c7f89f29201ff0e64853d3988adb723fff552447ebd087a55422abe568a8dfe4596a5820f13"
	"4ec9f192620e4b36776431e14e35a6c9ddbe912359b1bde0d74a062e634eb5ced3063bed83f0b562f2627803001700000005"
	"0005010000000000120000000b00020100000000170015000012636c6f7564666c6172652d6563682e636f6d001b00030200"
	"029a9a0001000015000700000000000000";

/* zeek__tls13draft23-chrome67.pcap frame 5: supported_versions tops at draft 23 (0x7f17) */
static const char hex_draft23[] =
	"1603010200010001fc030386be7d080a9cd26f7d89b538c83d450c60c1393f14574c3269af7f6d1052bb8f201f9f238511d3"
	"ac9d69ed29b12c25c56e1592431adab44b39f867eff6ca99286e00229a9a130113021303c02bc02fc02cc030cca9cca8c013"
	"c014009c009d002f0035000a010001914a4a0000ff010001000000001d001b000018746c7331332e63727970746f2e6d6f7a"
	"696c6c612e6f72670017000000230000000d0014001204030804040105030805050108060601020100050005010000000000"
	"1200000010000e000c02683208687474702f312e3175500000000b000201000033002b00299a9a000100001d0020d95beecc"
	"2091f2ec862ea2cff3aef1ec8a65877ff594a040c94ac878a2455731002d00020101002b000b0adada7f1703030302030100"
	"0a000a00089a9a001d0017001800180004001001027a7a000100001500bb0000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000";

/* ndpi__sites.pcapng frame 3: Facebook Fizz, versions 0x0304 and private 0xfb1a, no point formats */
static const char hex_fb[] =
	"16030101780100017403031bcff1156db05e5d315df75a5cc4134fe5472709fab75a7c7e14a2b8df503cbc209895eeb3f1a6"
	"68955016fd6b15380145a80a1c0a9559972f7affa56646deae9c000613011302130301000125002b0005040304fb1a000a00"
	"060004001d0017003300260024001d0020cccd0a85eddcb8b6c7140a14a1443be5596e882f9b974c011d86bb1a214b496a00"
	"0d00060004040308040000001b0019000016656467652d6d7174742e66616365626f6f6b2e636f6d0010000b000902683205"
	"68322d6662002d0003020100002a0000002900a1007c0076fb3c79480c64eae6be8499c680e3b0de1f0f64eb44e626927890"
	"c6d6734ec29800000000afc18fb8f9ca9564edcb8b2307fce04aa984e0c649cfa2e9def124b1d3c818510e6ff1d5f9e081f3"
	"8cf8800a4d2de618603be0e3885914a9334aaf23b94a71eb36f00acfa42a38c7666b8b7dd7612f5c01e07c5bd0c300212058"
	"05337e8b3b905e995f96e3aeae6eed9dc1e3433ff7f2be84fd92ad0558dcbd";

/* ndpi__tls_cipher_lens.pcap frame 4: 66 "suites" swallow the extensions, empty compression list */
static const char hex_lens4[] =
	"16030100ae010000aa030152efc37bceda522242fc28a2b4f13d3dfb2e1479d1f7064903c9288f9f73d12300008400ffc00a"
	"c0140088008700390038c00fc00500840035c009c007c013c0110045004400330032c00ec00cc004c00200960041002f0005"
	"0004c008c01200160013c00dc003feff000a0100003900000012001000000d7777772e676f6f676c652e6974000a00080006"
	"001700180019000b000201000023000033740000000500050100000000";

/* ndpi__tls_cipher_lens.pcap frame 5: no suites, extensions length 65472 (tshark: malformed) */
static const char hex_lens5[] =
	"16030100ae010000aa030152efc37bceda522242fc28a2b4f13d3dfb2e1479d1f7064903c9288f9f73d12300000000ffc00a"
	"c0140088008700390038c00fc00500840035c009c007c013c0110045004400330032c00ec00cc004c00200960041002f0005"
	"0004c008c01200160013c00dc003feff000a0100003900000012001000000d7777772e676f6f676c652e6974000a00080006"
	"001700180019000b000201000023000033740000000500050100000000";

/* zeek__hrr.pcap client stream: ClientHello, CCS, second ClientHello, application data */
static const char hex_hrr_c[] =
	"16030100e7010000e3030330f1903e37d4f598a70d696a9172b296c96852c9dae4a3c9ca6b49d2021668a1201a6bb8368add"
	"0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd000813021303130100ff01000092000b000403000102000a"
	"00080006001500170018002300000016000000170000000d001e001c040305030603080708080809080a080b080408050806"
	"040105010601002b0003020304002d000201010033003f003d0015003904742beee2f40d71fd7de442c4829450b081225514"
	"e22c5d87b47fc5958bccc7ff69835d7731166b62e92de516b8af90fe45cbb056ce364f4014030300010116030300ef010000"
	"eb030330f1903e37d4f598a70d696a9172b296c96852c9dae4a3c9ca6b49d2021668a1201a6bb8368add0e28015bd6cced64"
	"8236f49e2407f19653ac1fdd1ffa48bfaecd000813021303130100ff0100009a000b000403000102000a0008000600150017"
	"0018002300000016000000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b"
	"0003020304002d000201010033004700450017004104770706eba5d90622e4115a2843afeba4b1f4ed9b39eb099398580d4e"
	"e221f81d794dc569ecc7d73a27bebd24490423234aa153cb870dbd2ce5a7583e6cbc3d011703030045b15d728d13afb2083f"
	"b982d088e201ce4fa72cc46f50d541c4095b186bca0758cfbc1b6a7cce594f7ddf5326df0b9ac0e0cdfc2edf34b0a8f8afe4"
	"44d38b743882a03f55a617030300138c74509c96e7d2fa62480d7170a155feefd2a3";

/* zeek__hrr.pcap server stream, first 259 bytes: HelloRetryRequest, CCS, ServerHello */
static const char hex_hrr_s[] =
	"1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c201a6bb8368add"
	"0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd130200000c002b0002030400330002001714030300010116"
	"0303009b020000970303c962a48cac6114d391e8632c6cdced9c2075d7ebb83b45a89373e8713a553fe6201a6bb8368add0e"
	"28015bd6cced648236f49e2407f19653ac1fdd1ffa48bfaecd130200004f00330045001700410465fe52a19686b5dd1de10c"
	"56f38094ae842ef60f5111ec0e0ee17d392e54ec4216489b6ecb622c5c884d9026e24a42990c4459f229ccee0d30dfc2a367"
	"f963d8002b00020304";

static uint8_t buf[8192];

/* The hex of a case into buf; its length, or -1 (which fails the case). */
static int load(const char *hex)
{
	return test_hex(hex, buf, sizeof(buf));
}

struct ch_case {
	const char *name;
	const char *hex;	 /* client stream prefix */
	unsigned int nth;
	int ret;
	uint16_t record_version;
	const char *sni;	 /* NULL: none kept */
	uint16_t n_suites, n_exts;
	bool ech;
	const char *ja3_full, *ja3, *ja4;	/* JA3 from tshark 4.0; JA4 checked against nDPI where it publishes one */
};

static const struct ch_case ch_cases[] = {
	{ "GREASE everywhere", GREASE_CH, 0, 0, 0x0301, "example.com", 5, 11, true, GREASE_JA3_FULL,
	  "2218a6347a76303e5d5f0a260ebf8f77", GREASE_JA4 },
	/* RFC 8446 5.1: a handshake message may span records; the first record's version is reported */
	{ "split across 3 records", GREASE_SPLIT3, 0, 0, 0x0301, "example.com", 5, 11, true, GREASE_JA3_FULL,
	  "2218a6347a76303e5d5f0a260ebf8f77", GREASE_JA4 },
	{ "chrome", hex_chrome, 0, 0, 0x0301, "www.iit.cnr.it", 16, 18, false,
	  "771,4867-4865-4866-52393-52392-49195-49199-49196-49200-49171-49172-156-157-47-53,0-23-65281-10-11-35-16-"
	  "5-13-18-51-45-43-27-17513-21,29-23-24,0",
	  "aa50c12a5dfa717d9d6ab34e97de79d5", "t13d1516h2_8daaf6152771_e5627efa2ab1" },
	{ "firefox", hex_firefox, 0, 0, 0x0301, "upload.wikimedia.org", 18, 15, false,
	  "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-156-157-47-53-10,0-23-"
	  "65281-10-11-35-16-5-34-51-43-13-45-28-21,29-23-24-25-256-257,0",
	  "6b5e0cfe988c723ee71faf54f8460684", "t13d1815h2_e8a523a41297_3d5424432f57" },
	/* the outer ClientHello of ECH carries the public name; the real one is encrypted */
	{ "ECH outer SNI", hex_ech, 0, 0, 0x0301, "cloudflare-ech.com", 16, 19, true,
	  "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,65281-16-13-51-45-"
	  "17513-35-43-10-65037-23-5-18-11-0-27-21,29-23-24,0",
	  "2fcbf8655473005933c5869b2b5d8044", "t13d1517h2_8daaf6152771_b1ff8ab2d16f" },
	/* FoxIO: the highest supported_versions value, 0x7f17, is not in the table: "00" */
	{ "TLS 1.3 draft 23", hex_draft23, 0, 0, 0x0301, "tls13.crypto.mozilla.org", 17, 18, false,
	  "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53-10,65281-0-23-35-13-"
	  "5-18-16-30032-11-51-45-43-10-24-21,29-23-24,0",
	  "6cb345f0f89fe97b1dfad775b52d5cf2", "t00d1616h2_46e7e9700bed_420f9a5d0665" },
	{ "facebook 0xfb1a", hex_fb, 0, 0, 0x0301, "edge-mqtt.facebook.com", 3, 9, false,
	  "771,4865-4866-4867,43-10-51-13-0-16-45-42-41,29-23,", "44dab16d680ef93487bc16ad23b3ffb1",
	  "t00d0309h2_55b375c5d22e_2d3f7b9fe3d5" },
	/* no extensions block at all: JA3 "v,c,,,"; JA4 'i' and an all-zero extension hash */
	{ "no extensions", hex_lens4, 0, 0, 0x0301, NULL, 66, 0, false,
	  "769,255-49162-49172-136-135-57-56-49167-49157-132-53-49161-49159-49171-49169-69-68-51-50-49166-49164-"
	  "49156-49154-150-65-47-5-4-49160-49170-22-19-49165-49155-65279-10-256-57-0-18-16-0-3447-30583-11879-"
	  "28527-26476-25902-26996-10-8-6-23-24-25-11-2-256-35-0-13172-0-5-5-256-0,,,",
	  "8eae3e18d36ce24c4ac6b9eeb84ac762", "t10i660000_1ade43d4e5bc_000000000000" },
	{ "extensions length lies", hex_lens5, 0, -EBADMSG },
	{ "HRR: first hello", hex_hrr_c, 0, 0, 0x0301, NULL, 4, 9, false,
	  "771,4866-4867-4865-255,11-10-35-22-23-13-43-45-51,21-23-24,0-1-2", "0f14b679807628ec7f9c02cada3ee941",
	  "t13i040900_16476d049b0b_78f1d400d464" },
	/* RFC 8446 4.1.4/D.4: after HRR, a CCS, then the second ClientHello in a TLS 1.2 record */
	{ "HRR: second hello", hex_hrr_c, 1, 0, 0x0303, NULL, 4, 9, false,
	  "771,4866-4867-4865-255,11-10-35-22-23-13-43-45-51,21-23-24,0-1-2", "0f14b679807628ec7f9c02cada3ee941",
	  "t13i040900_16476d049b0b_78f1d400d464" },
	{ "HRR: no third hello", hex_hrr_c, 2, -ENOENT },
};

static bool check_ch(const struct ch_case *c, const struct tls_client_hello *ch)
{
	char full[TLS_JA3_FULL_MAX], md5[33], ja4[40];
	bool ok = true;

	ok &= EXPECT_EQ(ch->record_version, c->record_version, "record_version");
	ok &= EXPECT_EQ(ch->has_sni, c->sni != NULL, "has_sni");
	ok &= EXPECT_STR(ch->sni, c->sni ? c->sni : "", "sni");
	ok &= EXPECT_EQ(ch->n_suites, c->n_suites, "n_suites");
	ok &= EXPECT_EQ(ch->n_exts, c->n_exts, "n_exts");
	ok &= EXPECT_EQ(ch->ech, c->ech, "ech");
	ok &= EXPECT_EQ(ch->truncated, false, "truncated");
	ok &= EXPECT_EQ(tls_ja3(ch, full, sizeof(full), md5), 0, "tls_ja3");
	ok &= EXPECT_STR(full, c->ja3_full, "ja3_full");
	ok &= EXPECT_STR(md5, c->ja3, "ja3");
	ok &= EXPECT_EQ(tls_ja4(ch, false, ja4), 0, "tls_ja4");
	ok &= EXPECT_STR(ja4, c->ja4, "ja4");
	ok &= EXPECT_EQ(tls_ja4(ch, true, ja4), 0, "tls_ja4 quic");
	ok &= EXPECT_EQ(ja4[0], 'q', "quic prefix");
	return ok;
}

static bool test_client_hellos(void)
{
	static struct tls_client_hello ch;
	bool ok = true;

	for (size_t i = 0; i < sizeof(ch_cases) / sizeof(ch_cases[0]); i++) {
		const struct ch_case *c = &ch_cases[i];
		int n = load(c->hex), ret;

		ok &= EXPECT_TRUE(n > 0, c->name);
		ret = tlsrec_client_nth(buf, (size_t)n, c->nth, &ch);
		if (!EXPECT_EQ(ret, c->ret, c->name)) {
			ok = false;
			continue;
		}
		if (!ret && !check_ch(c, &ch)) {
			fprintf(stderr, "  in case \"%s\"\n", c->name);
			ok = false;
		}
	}
	return ok;
}

/* Lists keep GREASE as sent (tls.h); only the fingerprints drop it. */
static bool test_grease_kept(void)
{
	static struct tls_client_hello ch;
	int n = load(GREASE_CH);
	bool ok = EXPECT_EQ(tlsrec_client(buf, (size_t)n, &ch), 0, "parse");

	ok &= EXPECT_EQ(ch.legacy_version, 0x0303, "legacy_version");
	ok &= EXPECT_EQ(ch.suites[0], 0x0a0a, "suite GREASE");
	ok &= EXPECT_EQ(ch.suites[4], 0x00ff, "last suite");
	ok &= EXPECT_EQ(ch.n_compression, 1, "n_compression");
	ok &= EXPECT_EQ(ch.exts[0], 0x1a1a, "first extension GREASE");
	ok &= EXPECT_EQ(ch.n_exts, 11, "n_exts") && EXPECT_EQ(ch.exts[10], 0x7a7a, "last extension GREASE");
	ok &= EXPECT_EQ(ch.n_groups, 3, "n_groups") && EXPECT_EQ(ch.groups[0], 0x2a2a, "group GREASE");
	ok &= EXPECT_EQ(ch.n_sig_algs, 4, "n_sig_algs") && EXPECT_EQ(ch.sig_algs[0], 0x3a3a, "sig GREASE");
	ok &= EXPECT_EQ(ch.sig_algs[3], 0x0401, "last sig alg");
	ok &= EXPECT_EQ(ch.n_versions, 3, "n_versions") && EXPECT_EQ(ch.versions[0], 0x5a5a, "version GREASE");
	ok &= EXPECT_EQ(ch.n_key_shares, 2, "n_key_shares");
	ok &= EXPECT_EQ(ch.key_shares[0], 0x6a6a, "key_share GREASE");
	ok &= EXPECT_EQ(ch.key_shares[1], 0x001d, "key_share x25519");
	ok &= EXPECT_EQ(ch.n_point_formats, 1, "n_point_formats") && EXPECT_EQ(ch.point_formats[0], 0, "pf");
	ok &= EXPECT_EQ(ch.n_alpn, 3, "n_alpn");
	ok &= EXPECT_EQ(ch.alpn_len[0], 2, "alpn GREASE len");
	ok &= EXPECT_MEM(ch.alpn_buf + ch.alpn_off[0], "\x4a\x4a", 2, "alpn GREASE");
	ok &= EXPECT_STR(ch.alpn_buf + ch.alpn_off[1], "h2", "alpn 1");
	ok &= EXPECT_STR(ch.alpn_buf + ch.alpn_off[2], "http/1.1", "alpn 2");
	ok &= EXPECT_EQ(ch.alpn_len[2], 8, "alpn 2 len");
	return ok;
}

/* The second sig_hash_alg list tshark shows for Firefox: delegated_credentials (RFC 9345). */
static bool test_firefox_lists(void)
{
	static struct tls_client_hello ch;
	int n = load(hex_firefox);
	bool ok = EXPECT_EQ(tlsrec_client(buf, (size_t)n, &ch), 0, "parse");

	ok &= EXPECT_EQ(ch.n_sig_algs, 11, "n_sig_algs") && EXPECT_EQ(ch.sig_algs[10], 0x0201, "last sig alg");
	ok &= EXPECT_EQ(ch.n_dc_sig_algs, 4, "n_dc_sig_algs") && EXPECT_EQ(ch.dc_sig_algs[3], 0x0203, "dc last");
	ok &= EXPECT_EQ(ch.n_groups, 6, "n_groups") && EXPECT_EQ(ch.groups[5], 0x0101, "ffdhe3072");
	ok &= EXPECT_EQ(ch.n_key_shares, 2, "n_key_shares") && EXPECT_EQ(ch.key_shares[1], 0x0017, "p256 share");
	ok &= EXPECT_EQ(ch.n_versions, 2, "n_versions") && EXPECT_EQ(ch.versions[0], 0x0304, "1.3 first");
	return ok;
}

struct sh_case {
	const char *name;
	const char *hex;
	unsigned int nth;
	int ret;
	bool hello_retry;
	uint16_t version, suite, key_share;
	const char *alpn, *ja3s_full, *ja4s;
};

static const struct sh_case sh_cases[] = {
	/* RFC 8446 4.1.3: HRR is a ServerHello whose random is SHA-256("HelloRetryRequest") */
	{ "HRR", SERVER_HRR, 0, 0, true, 0x0304, 0x1302, 0x0017, "", "771,4866,43-51", "t130200_1302_a56c5b993250" },
	{ "ServerHello after HRR", SERVER_HRR, 1, 0, false, 0x0304, 0x1302, 0x001d, "", "771,4866,51-43",
	  "t130200_1302_234ea6891581" },
	{ "no third ServerHello yet", SERVER_HRR, 2, -ENODATA },
	{ "encrypted records follow", SERVER_HRR APPDATA, 2, -ENOENT },
	/* several handshake messages in one record; FoxIO JA4S: ALPN chosen, extensions in order */
	{ "TLS 1.2 flight", SERVER_TLS12, 0, 0, false, 0x0303, 0x1302, 0, "h2", "771,4866,65281-23-16",
	  "t1203h2_1302_3a8a4dba2f3a" },
	{ "TLS 1.2: no second", SERVER_TLS12 CCS, 1, -ENOENT },
	{ "captured HRR", hex_hrr_s, 0, 0, true, 0x0304, 0x1302, 0x0017, "", "771,4866,43-51",
	  "t130200_1302_a56c5b993250" },
	{ "captured ServerHello", hex_hrr_s, 1, 0, false, 0x0304, 0x1302, 0x0017, "", "771,4866,51-43",
	  "t130200_1302_234ea6891581" },
	{ "a client stream", GREASE_CH, 0, -EPROTONOSUPPORT },
};

static bool test_server_hellos(void)
{
	static struct tls_server_hello sh;
	char full[TLS_JA3_FULL_MAX], md5[33], ja4s[40];
	bool ok = true;

	for (size_t i = 0; i < sizeof(sh_cases) / sizeof(sh_cases[0]); i++) {
		const struct sh_case *c = &sh_cases[i];
		int n = load(c->hex), ret = tlsrec_server_nth(buf, (size_t)n, c->nth, &sh);
		bool good = EXPECT_EQ(ret, c->ret, c->name);

		if (good && !ret) {
			good &= EXPECT_EQ(sh.hello_retry, c->hello_retry, "hello_retry");
			good &= EXPECT_EQ(sh.version, c->version, "version");
			good &= EXPECT_EQ(sh.suite, c->suite, "suite");
			good &= EXPECT_EQ(sh.key_share, c->key_share, "key_share");
			good &= EXPECT_STR(sh.alpn, c->alpn, "alpn");
			good &= EXPECT_EQ(tls_ja3s(&sh, full, sizeof(full), md5), 0, "tls_ja3s");
			good &= EXPECT_STR(full, c->ja3s_full, "ja3s_full");
			good &= EXPECT_EQ(tls_ja4s(&sh, false, ja4s), 0, "tls_ja4s");
			good &= EXPECT_STR(ja4s, c->ja4s, "ja4s");
		}
		if (!good)
			fprintf(stderr, "  in case \"%s\"\n", c->name);
		ok &= good;
	}
	return ok;
}

struct rec_case {
	const char *name;
	const char *hex;
	unsigned int nth;
	int ret;
};

/* Record-layer rules, each on a client stream prefix. */
static const struct rec_case rec_cases[] = {
	{ "empty", "", 0, -ENODATA },
	{ "one byte of a record header", "16", 0, -ENODATA },
	{ "record header only", "1603010040", 0, -ENODATA },
	{ "not a handshake record", "1703030005aabbccddee", 0, -EPROTONOSUPPORT },
	{ "HTTP", "474554202f20485454502f312e310d0a", 0, -EPROTONOSUPPORT },
	{ "record major version 4", "1604", 0, -EPROTONOSUPPORT },
	{ "record version 3.5", "160305", 0, -EPROTONOSUPPORT },
	{ "SSLv2 compatible hello", "802b0103010012000000100000040000050000", 0, -EPROTONOSUPPORT },
	{ "a server stream", SERVER_TLS12, 0, -EPROTONOSUPPORT },
	/* RFC 5246 6.2.1: no zero-length handshake fragments; RFC 5246 6.2.3 length bound */
	{ "zero-length record", "1603010000", 0, -EBADMSG },
	{ "record longer than 2^14+2048", "1603014801", 0, -EBADMSG },
	{ "hello above TLSREC_MAX_MSG", "160301000401010001", 0, -EMSGSIZE },
	{ "hello at TLSREC_MAX_MSG", "160301000401010000", 0, -ENODATA },
	/* RFC 8446 5.1: handshake messages must not be interleaved with other record types */
	{ "CCS inside a hello", GREASE_SPLIT3_REC1 CCS, 0, -EBADMSG },
	{ "alert inside a hello", GREASE_SPLIT3_REC1 ALERT, 0, -EBADMSG },
	{ "unknown record type", GREASE_CH "6303030001aa", 1, -EBADMSG },
	{ "later record major version 2", GREASE_CH "1602000001aa", 1, -EBADMSG },
	{ "CCS of two bytes", GREASE_CH "14030300020101", 1, -EBADMSG },
	{ "CCS byte not 1", GREASE_CH "140303000102", 1, -EBADMSG },
	{ "hello then alert", GREASE_CH ALERT, 1, -ENOENT },
	{ "hello, CCS, then encrypted", GREASE_CH CCS APPDATA, 1, -ENOENT },
	{ "hello, CCS, nothing yet", GREASE_CH CCS, 1, -ENODATA },
	/* TLS 1.2: a CCS after ClientKeyExchange starts encryption; nothing plain follows */
	{ "CKE then CCS", GREASE_CH "16030300061000000201aa" CCS "1603030028aabb", 1, -ENOENT },
};

static bool test_records(void)
{
	static struct tls_client_hello ch;
	bool ok = true;

	for (size_t i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];
		int n = load(c->hex);

		ok &= EXPECT_TRUE(n >= 0, c->name);
		ok &= EXPECT_EQ(tlsrec_client_nth(n ? buf : NULL, (size_t)n, c->nth, &ch), c->ret, c->name);
	}
	return ok;
}

/* A record holding a whole ClientHello and the next message: the hello alone is parsed. */
static bool test_two_messages_in_a_record(void)
{
	static struct tls_client_hello ch;
	/* ClientHello {0303, random, sid 0, suites 1301, comp 0} then a ClientKeyExchange, in one record */
	int n = load("1603010033010000" "29" "0303" "1111111111111111111111111111111111111111111111111111111111111111"
		     "00" "00021301" "0100" "10000002" "01aa");
	bool ok = EXPECT_EQ(n, 56, "length");

	ok &= EXPECT_EQ(tlsrec_client(buf, (size_t)n, &ch), 0, "first message");
	ok &= EXPECT_EQ(ch.n_suites, 1, "n_suites") && EXPECT_EQ(ch.suites[0], 0x1301, "suite");
	ok &= EXPECT_EQ(ch.n_exts, 0, "no extensions");
	ok &= EXPECT_EQ(tlsrec_client_nth(buf, (size_t)n, 1, &ch), -ENODATA, "no second hello yet");
	return ok;
}

/*
 * Every length field of GREASE_CH, made to lie: one more, one less, all ones.
 * A field over the end of the prefix is -ENODATA (more may come), over its
 * container -EBADMSG; the handshake length beyond the cap is -EMSGSIZE. A
 * record one byte longer than the prefix is not a lie yet: the hello inside
 * is whole, so it is parsed.
 */
struct lie {
	const char *name;
	unsigned int off, width, value;
	int plus1, minus1, max;
};

static const struct lie lies[] = {
	{ "record length", 3, 2, 221, 0, -EBADMSG, -EBADMSG },
	{ "handshake length", 6, 3, 217, -ENODATA, -EBADMSG, -EMSGSIZE },
	{ "session_id", 43, 1, 2, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "cipher_suites", 46, 2, 10, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "compression", 58, 1, 1, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "extensions", 60, 2, 164, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext GREASE 1a1a", 64, 2, 0, -EBADMSG, 0, -EBADMSG },
	{ "ext server_name", 68, 2, 16, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "server_name_list", 70, 2, 14, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "host_name", 73, 2, 11, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext supported_groups", 88, 2, 8, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "named_group_list", 90, 2, 6, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext ec_point_formats", 100, 2, 2, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ec_point_format_list", 102, 1, 1, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext signature_algorithms", 106, 2, 10, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "sig_alg_list", 108, 2, 8, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext alpn", 120, 2, 17, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "protocol_name_list", 122, 2, 15, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "alpn GREASE name", 124, 1, 2, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "alpn name h2", 127, 1, 2, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "alpn name http/1.1", 130, 1, 8, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext supported_versions", 141, 2, 7, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "versions", 143, 1, 6, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext key_share", 152, 2, 43, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "client_shares", 154, 2, 41, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "key_exchange GREASE", 158, 2, 1, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "key_exchange x25519", 163, 2, 32, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext psk_key_exchange_modes", 199, 2, 2, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext encrypted_client_hello", 205, 2, 14, -EBADMSG, -EBADMSG, -EBADMSG },
	{ "ext GREASE 7a7a", 223, 2, 1, -EBADMSG, -EBADMSG, -EBADMSG },
};

static void put_len(uint8_t *p, unsigned int width, uint32_t v)
{
	for (unsigned int i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static bool test_lying_lengths(void)
{
	static struct tls_client_hello ch;
	uint8_t orig[256];
	int n = test_hex(GREASE_CH, orig, sizeof(orig));
	bool ok = EXPECT_EQ(n, 226, "vector length");

	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		const struct lie *l = &lies[i];
		uint32_t max = (1u << (8 * l->width)) - 1, v[3] = { l->value + 1, l->value - 1, max };
		int want[3] = { l->plus1, l->minus1, l->max };

		memcpy(buf, orig, (size_t)n);
		ok &= EXPECT_EQ(buf[l->off + l->width - 1], l->value & 0xff, l->name);	/* table in step */
		for (int k = 0; k < 3; k++) {
			if (l->value == 0 && k == 1)
				continue;	/* no "one less" than zero */
			put_len(buf + l->off, l->width, v[k]);
			if (!EXPECT_EQ(tlsrec_client(buf, (size_t)n, &ch), want[k], l->name)) {
				fprintf(stderr, "  %s set to %u\n", l->name, v[k]);
				ok = false;
			}
		}
	}
	return ok;
}

/* Truncation sweep: every prefix of every valid case gives 0 or -ENODATA, and never reads past it. */
static bool sweep_one(const char *name, const char *hex, unsigned int nth, bool server)
{
	static struct tls_client_hello ch;
	static struct tls_server_hello sh;
	uint8_t *copy;
	int n = load(hex);
	bool ok = true;

	for (int k = 0; k < n; k++) {
		int ret;

		copy = malloc(k ? (size_t)k : 1);	/* exact size: ASan flags any read past the prefix */
		memcpy(copy, buf, (size_t)k);
		ret = server ? tlsrec_server_nth(copy, (size_t)k, nth, &sh) : tlsrec_client_nth(copy, (size_t)k, nth, &ch);
		free(copy);
		if (ret != 0 && ret != -ENODATA) {
			fprintf(stderr, "  %s: prefix %d of %d: %d\n", name, k, n, ret);
			ok = false;
		}
	}
	return ok;
}

/* The same at the hello level: every prefix of the handshake body. */
static bool sweep_body(const char *name, const char *hex)
{
	static struct tls_client_hello ch;
	int n = load(hex), hlen = n > 9 ? (buf[6] << 16 | buf[7] << 8 | buf[8]) : 0;
	bool ok = EXPECT_TRUE(hlen > 0 && hlen <= n - 9, name);

	for (int k = 0; ok && k <= hlen; k++) {
		uint8_t *copy = malloc(k ? (size_t)k : 1);
		int ret;

		memcpy(copy, buf + 9, (size_t)k);
		ret = tls_parse_client_hello(copy, (size_t)k, &ch);
		free(copy);
		if (ret != 0 && ret != -ENODATA) {
			fprintf(stderr, "  %s: body prefix %d of %d: %d\n", name, k, hlen, ret);
			ok = false;
		}
	}
	return ok;
}

static bool test_truncation_sweep(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(ch_cases) / sizeof(ch_cases[0]); i++) {
		if (ch_cases[i].ret)
			continue;
		ok &= sweep_one(ch_cases[i].name, ch_cases[i].hex, ch_cases[i].nth, false);
		ok &= sweep_body(ch_cases[i].name, ch_cases[i].hex);
	}
	for (size_t i = 0; i < sizeof(sh_cases) / sizeof(sh_cases[0]); i++)
		if (!sh_cases[i].ret)
			ok &= sweep_one(sh_cases[i].name, sh_cases[i].hex, sh_cases[i].nth, true);
	return ok;
}

/* The example in FoxIO's JA4.md: Chrome's lists, hashed and raw, and without signature algorithms. */
static void foxio_example(struct tls_client_hello *ch)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
					   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
	static const uint16_t exts[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
					 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015 };
	static const uint16_t sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };

	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = 0x0303;
	memcpy(ch->suites, suites, sizeof(suites));
	ch->n_suites = sizeof(suites) / 2;
	memcpy(ch->exts, exts, sizeof(exts));
	ch->n_exts = sizeof(exts) / 2;
	memcpy(ch->sig_algs, sigs, sizeof(sigs));
	ch->n_sig_algs = sizeof(sigs) / 2;
	ch->versions[0] = 0x0304;
	ch->n_versions = 1;
	memcpy(ch->alpn_buf, "h2", 3);
	ch->alpn_len[0] = 2;
	ch->n_alpn = 1;
}

static bool test_ja4_foxio_example(void)
{
	static struct tls_client_hello ch;
	char ja4[40], raw[1024];
	bool ok = true;

	foxio_example(&ch);
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "ja4") && EXPECT_STR(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1", "ja4");
	ok &= EXPECT_EQ(tls_ja4_raw(&ch, false, raw, sizeof(raw)), 0, "ja4_r");
	ok &= EXPECT_STR(raw, "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
			 "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
			 "0403,0804,0401,0503,0805,0501,0806,0601", "ja4_r");
	ok &= EXPECT_EQ(tls_ja4_raw(&ch, false, raw, 40), -ENOSPC, "ja4_r short buffer");
	ch.n_sig_algs = 0;	/* "the string ends without an underscore" */
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "ja4") && EXPECT_STR(ja4 + 24, "6d807ffa2a79", "no sigalgs");
	ch.n_suites = 0;	/* JA4+ rule 1: an empty list hashes to zeros */
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "ja4") && EXPECT_STR(ja4, "t13d0016h2_000000000000_6d807ffa2a79", "no suites");
	ch.truncated = true;	/* a list was cut: no fingerprint rather than a wrong one */
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), -E2BIG, "truncated ja4");
	ok &= EXPECT_EQ(tls_ja3(&ch, raw, sizeof(raw), ja4), -E2BIG, "truncated ja3");
	return ok;
}

/* FoxIO JA4.md "ALPN Extension Value", and GREASE names skipped (RFC 8701). */
static bool test_ja4_alpn(void)
{
	static const struct { const char *alpn; uint8_t len; const char *want; } t[] = {
		{ "h2", 2, "h2" }, { "http/1.1", 8, "h1" }, { "a", 1, "aa" }, { "", 0, "00" },
		{ "\xab", 1, "ab" }, { "\xab\xcd", 2, "ad" }, { "\x30\xab", 2, "3b" },
		{ "\x30\x31\xab\xcd", 4, "3d" }, { "\x30\xab\xcd\x31", 4, "01" }, { "h3-29", 5, "h9" },
		{ "\x0a\x0a", 2, "00" },	/* only a GREASE name: as if none */
	};
	static struct tls_client_hello ch;
	char ja4[40];
	bool ok = true;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		foxio_example(&ch);
		memcpy(ch.alpn_buf, t[i].alpn, t[i].len);
		ch.alpn_len[0] = t[i].len;
		ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, t[i].want);
		ok &= EXPECT_MEM(ja4 + 8, t[i].want, 2, t[i].alpn);
	}
	ch.n_alpn = 0;
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "no alpn") && EXPECT_MEM(ja4 + 8, "00", 2, "no alpn");
	foxio_example(&ch);	/* GREASE first, then h2 */
	memcpy(ch.alpn_buf, "\x5a\x5a\0h2", 6);
	ch.alpn_len[0] = 2, ch.alpn_off[1] = 3, ch.alpn_len[1] = 2, ch.n_alpn = 2;
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "grease alpn") && EXPECT_MEM(ja4 + 8, "h2", 2, "grease alpn");
	return ok;
}

/* FoxIO JA4.md "TLS and DTLS Version": highest non-GREASE supported_versions, else legacy_version. */
static bool test_ja4_version(void)
{
	static const struct { uint16_t legacy, v1, v2; bool ext; const char *want; } t[] = {
		{ 0x0303, 0x0304, 0x0303, true, "13" }, { 0x0303, 0x0a0a, 0x0303, true, "12" },
		{ 0x0303, 0x7f17, 0x0303, true, "00" }, { 0x0303, 0x0304, 0xfb1a, true, "00" },
		{ 0x0303, 0x0a0a, 0x1a1a, true, "12" },	/* GREASE only: legacy_version */
		{ 0x0303, 0x0304, 0, false, "12" },	/* list without the extension: not used */
		{ 0x0302, 0, 0, false, "11" }, { 0x0301, 0, 0, false, "10" }, { 0x0300, 0, 0, false, "s3" },
		{ 0x0002, 0, 0, false, "s2" }, { 0xfeff, 0, 0, false, "d1" }, { 0xfefd, 0, 0, false, "d2" },
		{ 0xfefc, 0, 0, false, "d3" }, { 0x0200, 0, 0, false, "00" },
	};
	static struct tls_client_hello ch;
	char ja4[40];
	bool ok = true;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		foxio_example(&ch);
		ch.legacy_version = t[i].legacy;
		ch.versions[0] = t[i].v1, ch.versions[1] = t[i].v2;
		ch.n_versions = t[i].v1 ? 2 : 0;
		if (!t[i].ext)
			ch.exts[11] = 0x0029;	/* supported_versions (0x002b) becomes pre_shared_key */
		ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, t[i].want) && EXPECT_MEM(ja4 + 1, t[i].want, 2, t[i].want);
	}
	return ok;
}

/* Counts are two digits, capped at 99 (FoxIO JA4.md), over non-GREASE values; SCSV counts. */
static bool test_ja4_counts(void)
{
	static struct tls_client_hello ch;
	char ja4[40], full[TLS_JA3_FULL_MAX], md5[33];
	bool ok = true;

	foxio_example(&ch);
	for (int i = 0; i < 120; i++)
		ch.suites[i] = (uint16_t)(0x0100 + i);
	ch.suites[0] = 0x2a2a;
	ch.n_suites = 120;
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "ja4") && EXPECT_MEM(ja4, "t13d9916h2", 10, "99 suites");
	ch.n_suites = 3;	/* 2a2a, 0101, 0102 */
	ok &= EXPECT_EQ(tls_ja4(&ch, false, ja4), 0, "ja4") && EXPECT_MEM(ja4, "t13d0216h2", 10, "GREASE not counted");
	ok &= EXPECT_EQ(tls_ja3(&ch, full, 8, md5), -ENOSPC, "ja3 short buffer");
	ok &= EXPECT_EQ(tls_ja3(&ch, full, sizeof(full), md5), 0, "ja3");
	ok &= EXPECT_STR(full, "771,257-258,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,,", "ja3 no groups");
	return ok;
}

/* FoxIO JA4S.md example: TLS 1.2, no ALPN, cipher c030, extensions 0005,0017,ff01,0000. */
static bool test_ja4s_foxio_example(void)
{
	static struct tls_server_hello sh;
	char ja4s[40], full[64], md5[33];
	bool ok = true;

	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = sh.version = 0x0303;
	sh.suite = 0xc030;
	sh.exts[0] = 0x0005, sh.exts[1] = 0x0017, sh.exts[2] = 0xff01, sh.exts[3] = 0x0000;
	sh.n_exts = 4;
	ok &= EXPECT_EQ(tls_ja4s(&sh, false, ja4s), 0, "ja4s") && EXPECT_STR(ja4s, "t120400_c030_4e8089b08790", "ja4s");
	ok &= EXPECT_EQ(tls_ja3s(&sh, full, sizeof(full), md5), 0, "ja3s") && EXPECT_STR(full, "771,49200,5-23-65281-0", "ja3s");
	sh.n_exts = 0;
	ok &= EXPECT_EQ(tls_ja4s(&sh, true, ja4s), 0, "ja4s") && EXPECT_STR(ja4s, "q120000_c030_000000000000", "no exts");
	return ok;
}

int main(void)
{
	RUN(test_client_hellos);
	RUN(test_grease_kept);
	RUN(test_firefox_lists);
	RUN(test_server_hellos);
	RUN(test_records);
	RUN(test_two_messages_in_a_record);
	RUN(test_lying_lengths);
	RUN(test_truncation_sweep);
	RUN(test_ja4_foxio_example);
	RUN(test_ja4_alpn);
	RUN(test_ja4_version);
	RUN(test_ja4_counts);
	RUN(test_ja4s_foxio_example);
	return test_failures != 0;
}
