package io.sluice.codec.influx;

import io.sluice.codec.Precision;
import io.sluice.codec.Recorder;
import io.sluice.codec.Recorder.Sample;
import io.sluice.codec.SampleSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decode corpus of the reference implementation, as Sluice's own table: the cases of
 * {@code lineprotocol/testdata/corpus.json} in github.com/influxdata/line-protocol (commit 08518c8f)
 * that people wrote (its implementations {@code influxdbv2models}, {@code influxdbv2tsm1},
 * {@code lineprotocol}, {@code custom}), and the inputs its fuzzing found on which Sluice used to
 * disagree: control characters in names and comments, a newline inside a string field, invalid
 * UTF-8 in a string field. Each row names its corpus key; the inputs are the corpus's bytes, and
 * what is expected is what the reference decodes, in Sluice's terms: each float, integer, unsigned
 * or boolean field is a sample of {@code measurement_field} ({@code measurement} for a field named
 * {@code value}; booleans 1 and 0), a string field is skipped and counted, no timestamp is
 * {@link SampleSink#NO_TIME}, and an input the reference refuses gives at least one error.
 *
 * <p>Where a documented limit of Sluice differs ({@code package-info.java}), the row says so. The
 * whole corpus runs in {@link LineProtocolCorpusTest} when it is at hand.
 */
class LineProtocolReferenceTest {
    static final Precision NS = Precision.NANOSECONDS, US = Precision.MICROSECONDS, MS = Precision.MILLISECONDS,
            S = Precision.SECONDS;
    static final long NOW = SampleSink.NO_TIME;

    /** One corpus case: refused (with a reason for Sluice's limits), or the samples and string fields. */
    record Case(String key, Precision precision, byte[] input, boolean refused, String reason, int strings,
                List<Sample> samples) {
        @Override
        public String toString() {
            return key + " " + LineProtocolCorpusTest.show(input);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesAsTheReferenceDoes(Case c) {
        Recorder r = new Recorder();
        int emitted = new LineProtocolParser().parse(c.input(), 0, c.input().length, c.precision(), r);
        if (c.refused()) {
            assertThat(r.errors).as("the reference refuses it").isNotEmpty();
            if (c.reason() != null) {
                assertThat(r.errors.get(0).reason()).isEqualTo(c.reason());
            }
            return;
        }
        assertThat(r.errors).as("the reference decodes it").isEmpty();
        assertThat(r.samples).containsExactlyInAnyOrderElementsOf(c.samples());
        assertThat(emitted).isEqualTo(c.samples().size());
        assertThat(r.skipped).as("string fields").isEqualTo(c.strings());
    }

    static Stream<Case> cases() {
        return Stream.of(
            ok("001600bcb0dd079817b7e527a1f9494c", NS, "cpu,host=serverA,region=us-west value=1.0e-4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("0.0001"), NOW)),
            ok("01b36aad22d7612d7a49e2126c012fef", NS, "cpu value=6632243i 1000000000",
                    0,
                    s("cpu", tags(), i("6632243"), 1000000L)),
            ok("03587a8601548738fc042dd58b543b18", NS, "cpu value=\"4\n2\"",
                    1),
            ok("037c39d1cd1ace6c74b196c6d1184821", NS, "t s=\"one double quote \\\" .\"",
                    1),
            ok("0382cfbaf19c0db25fb07fb946542bb4", NS, "cpu,regions=east\\ west value=1.0",
                    0,
                    s("cpu", tags("regions", "east west"), f("1.0"), NOW)),
            refused("03cb61144c5d18c16ca105d3628fff10", NS, "cpu,b=2,c=3,b=1 value=1i 1000000000"),
            refused("041b63d4f5904d4c01c1756517596973", NS, "cpu v=-123u"),
            ok("054f6ebe962dce569897936f2eca58e6", NS, "cpu,host=serverA,region=us-east value=\"{Hello\\\"{\\,}\\\" World}\" 1000000000",
                    1),
            refused("069094ac5a6f77222d3c4310793b1ad2", NS, "cpu,,,"),
            ok("07b7338ecc6eb64cd1aed5da2c4853c1", NS, "cpu value=1",
                    0,
                    s("cpu", tags(), f("1.0"), NOW)),
            refused("08f9c5e1b35ccb42c659258af369d4ea", NS, "cpu value=NaN 1000000000"),
            ok("0a2e5017fc34909fc37456e3775bdd72", NS, "cpu value=\"test\\\\\" 1000000000",
                    1),
            refused("0a651fa607ab9c86a994595138d4c05d", NS, "\"\013f=\" e=1i\n\"\013f=\" e=1i\n"),
            ok("0a654f423819ba443f035392a9315634", NS, "cpu,host=serverA,region=us-east bool=false,float=11,float2=12.123,int=10i,str=\"string val"
                + "\" 1000000000",
                    1,
                    s("cpu_bool", tags("host", "serverA", "region", "us-east"), b(false), 1000000L),
                    s("cpu_float", tags("host", "serverA", "region", "us-east"), f("11.0"), 1000000L),
                    s("cpu_float2", tags("host", "serverA", "region", "us-east"), f("12.123"), 1000000L),
                    s("cpu_int", tags("host", "serverA", "region", "us-east"), i("10"), 1000000L)),
            ok("0a7c8a91d4e8ce496691f1fd75531bb6", NS, "cpu value=1.0 1257894000000000000   ",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            refused("0c006eb59c39ec238300bfee324df051", NS, "cpu value=42\ncpu value=invalid\ncpu value=42\ncpu value=invalid"),
            ok("0c10b0b647876d88b04296ed8a3d6f29", NS, "c\\,pu value=42",
                    0,
                    s("c,pu", tags(), f("42.0"), NOW)),
            ok("0c1323647a78eacdea36be73bec6dff3", NS, "cpu value=1 9223372036854775806",
                    0,
                    s("cpu", tags(), f("1.0"), 9223372036854775L)),
            refused("0c7e31b4461e4f7d39773f3b51bc65b2", NS, "\" \017=2 \r\n\" \013=5 \r\n\" \013=5 \r"),
            ok("0ca29e2594d6ab9e398bb798a31fc538", NS, "cpu value=1 -9223372036854775806",
                    0,
                    s("cpu", tags(), f("1.0"), -9223372036854776L)),
            ok("0d72bd69a58fa1a3399cf61fc9fdc67c", NS, "m v=\"\\r\"",
                    1),
            refused("0daf8f1ee68a539b37b044b3095c36ca", NS, "cpu value=1 -1?"),
            refused("0e18111224f2a5247ece1af08392aa7b", NS, "cpu,host=serverA,region=,zone=us-west value=1i"),
            ok("0e7bdada23c266d16748f3851a42d9d4", NS, "cpu,host=serverA,region=us-east value=1.0 946730096789012345",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 946730096789012L)),
            refused("10d40bb305d0c0e7268240202812c6d9", NS, "cpu,host=serverA,region=us-west value=0.-1"),
            refused("116ff556d4b2c151a86206f3e042f528", NS, "cpu value=1 -/"),
            ok("12cbe04300d26145a19219958aabbd46", S, "cpu,host=serverA,region=us-east value=1.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), NOW)),
            refused("13a9b07a16a3adfe3480654a86d02e38", NS, "\" U=True\n\002 U=True\n\002 U=True\n\002 U=True\n\002 U=True\n\002 U=True\n"),
            ok("14526fb11a343a8eb51e25042f187c0e", NS, "cpu,host=serverA,region=us-west value=1.0e4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("10000.0"), NOW)),
            ok("1649ca32c656808ffa2cdd4a6531a62f", NS, "cpu,tag0=v0,_measurement=v0 value=1",
                    0,
                    s("cpu", tags("_measurement", "v0", "tag0", "v0"), f("1.0"), NOW)),
            ok("16a57ccae64487f2a2ff14c47a62c5a1", NS, "cpu,host=serverA,region=us-east str=\"foo=bar\",value=1.0 1000000000",
                    1,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            refused("17476f1c7665e7a3bb9ff615f0c9c643", NS, "cpu,host,"),
            ok("18e521df0c9db9f980e08de6924bacf2", NS, "cpu value=1.0     1257894000000000000",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            ok("1a4137f2d32fbbb29fe8776911e1197d", NS, "cpu,tag0=v\\ 0 value=1",
                    0,
                    s("cpu", tags("tag0", "v 0"), f("1.0"), NOW)),
            refused("1b46b50f3a1e511a79bb8da489a6f271", NS, "cpu,host=serverA,host=serverB value=1i 1000000000"),
            ok("1c8481d8320d4558ad93ed03d921ee91", NS, "\"cpu\",host=serverA,region=us-east value=1.0 1000000000",
                    0,
                    s("\"cpu\"", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            ok("1c96a2a43e408a1579c6de7c0dcd00b4", NS, "cpu   value=1.0 1257894000000000000\n",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            ok("1df1b02fa2986884f9019506ea051220", NS, "t s=\"backslash \\\\ then quote \\\" .\"",
                    1),
            ok("1edaf33396a5cc25b2590bf7834d6a02", NS, "cpu,regions=east value\\,ms=1.0",
                    0,
                    s("cpu_value,ms", tags("regions", "east"), f("1.0"), NOW)),
            ok("1ef1348684c8e47e7c2b8d26907ba6d5", NS, "cpu,region\\,zone=east value=1.0",
                    0,
                    s("cpu", tags("region,zone", "east"), f("1.0"), NOW)),
            ok("1fd9be41bd8579a7d66f83cc5aa27d37", NS, "cpu,host=serverA,region=us-west value=-179769313486231570814527423731704356798070567525844"
                + "996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768"
                + "467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948"
                + "165808559332123348274797826204144723168738177180919299881250404026184124858368.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("-1.7976931348623157e+308"), NOW)),
            refused("1ff342209f99282dd95b18d6a6969b69", NS, "cpu,a=x,b=y"),
            refused("1ffba8dcb34104d20e7854c5fa32afd3", NS, "cpu v=1ii "),
            refused("21e86b997c4ec38d01a33114e4ad464d", NS, "cpu,host=serverA,region=us-west value= 1000000000i"),
            ok("23566aa42d6660072adb2b012f783f9c", NS, "cpu,regions=east value=\"1,0\"",
                    1),
            refused("25957c0a9f5e3a8c28124d338e73bad3", NS, "\" U=True\n\002 U=True\n\002 U=True,\013=True,\013=True,\013=True"),
            ok("25aa926907f12b78465148c249e25f22", NS, "cpu value=\"how\\\"dy\"",
                    1),
            ok("26107810a731809f653aa250c0cc82f4", NS, "c\\ pu value=42",
                    0,
                    s("c pu", tags(), f("42.0"), NOW)),
            refused("2623897fce20a66add4480b8ccdb731d", NS, "5\0132=\" 2=5 \r\n5\0132=\" 6=5 \r"),
            refused("26cfbed8d8851eef6a261d5686fd11fc", NS, "\"\013f=\" f=\"\"\n\"\013f=\" f=\"\"\n\"\013f=\" f=\"\""),
            ok("28bdada5e8dd51e09c703db158f063be", NS, "cpu,regions=east value\\ ms=1.0",
                    0,
                    s("cpu_value ms", tags("regions", "east"), f("1.0"), NOW)),
            ok("2a6fa6f9c4bd199a093f88e94b542430", NS, "cpu,tag0=v0,time=v0 value=1",
                    0,
                    s("cpu", tags("tag0", "v0", "time", "v0"), f("1.0"), NOW)),
            refused("2be024ca70163a7068b08f5e8ef57ffa", NS, "\tm v=1"),
            refused("2c0e468c2fa96fb3f3ad7f748a409266", NS, "cpu value=18446744073709551616u"),
            ok("2c23e7ffc448f5e6a910d6be499dbe5a", NS, "cpu value=42i",
                    0,
                    s("cpu", tags(), i("42"), NOW)),
            refused("2c6ff7f15df347a0c019f5342980f862", NS, "cpu,a="),
            refused("2cd9088d5505daaa774381e56a9e3e43", NS, "cpu v=42+3 "),
            refused("2e18c030b7cf95f1c0d7ada4a90eb5c9", NS, "cpu,host=serverA,region=us-west value="),
            ok("2e1f9c7d3cc0fc9ce92a044e79809d49", NS, "cpu,tag0=v0 value=1",
                    0,
                    s("cpu", tags("tag0", "v0"), f("1.0"), NOW)),
            ok("300f2f9ef1ae94ad02d976c9d6ddfc55", NS, "foo\\,bar value=1i",
                    0,
                    s("foo,bar", tags(), i("1"), NOW)),
            ok("3358eb0794c581117d108e4ba594aa15", NS, "cpu,host=two\\ words value=42",
                    0,
                    s("cpu", tags("host", "two words"), f("42.0"), NOW)),
            ok("35de52b29ff4c9c63d2906aa1469ee2f", NS, "cpu,host=serverA,region=us-west value=-1.0e-4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("-0.0001"), NOW)),
            ok("35f0fd88d1f22a283a1869e1cce4f4de", NS, "cpu,host=serverA,region=us-west value=1i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("1"), NOW)),
            refused("380dcff37979f343a1912adbb2cfc9ec", NS, "="),
            ok("3a9555c366b44647917f719905a7c24a", NS, "cpu,host=serverA,region=us-east value=1.0,str=\"foo\nbar\" 1000000000",
                    1,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            refused("3cacea8d12db3e7c55257f27198d5a92", NS, "cpu v=-e-e-e "),
            refused("3d90cafa18a9d0a0888f2db40b6f0c60", NS, "cpu v=. "),
            ok("3da6ec5ed98d72f52a510957f75d0342", NS, "m,hi\\ yo\\ =w\\,est,server=a x=1",
                    0,
                    s("m_x", tags("hi yo ", "w,est", "server", "a"), f("1.0"), NOW)),
            refused("3f3bc29cfe6c96cf9d238ff63c5fa6bf", NS, "m\0136=\"\" \\U=F\n0\0136=1 \\U=F\nm\0136=\"\" \\U=F\n0\0136=1 \\U=F\nm\0136=\"\" \\U=F\n0"
                + "\0136=1 \\U=F\n"),
            ok("40405f38e5e65e2ac7b7d04335b07b81", NS, "cpu\\ load,region=east value=1.0",
                    0,
                    s("cpu load", tags("region", "east"), f("1.0"), NOW)),
            ok("406b0d0a7e504f8ac168e39a61f3a853", MS, "cpu,host=serverA,region=us-east value=1.0 946730096789",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 946730096789000L)),
            ok("40ab2d78a5ca51847419d6c590e82440", NS, "cpu=load,region=east value=1.0",
                    0,
                    s("cpu=load", tags("region", "east"), f("1.0"), NOW)),
            ok("40f7f7ab020c18e8a63082bef4f76913", NS, "cpu,host=two\\\\\\ words value=42",
                    0,
                    s("cpu", tags("host", "two\\\\ words"), f("42.0"), NOW)),
            refused("42548a1a62e8be170084ee9a2f3aec8f", NS, "\"\013f=\" r=f\n\"\013f=\" r=f\n"),
            refused("42dbe5648e01c463de09d85e069cb04b", NS, "cpu,host=serverA,region=us-west value=,value2=1i"),
            ok("432c470eca90d15a6e299690a4d3573b", NS, "cpu,regions=eas\\\\ t value=1.0",
                    0,
                    s("cpu", tags("regions", "eas\\ t"), f("1.0"), NOW)),
            refused("4450020ffbd0fc55df175b46ffb4a9cc", NS, "cpu v=1.0i "),
            ok("45342c99161dc859e74b2de97fe08e34", NS, "cpu value=42",
                    0,
                    s("cpu", tags(), f("42.0"), NOW)),
            ok("48252323ce3961d644315e4d8f38f6bd", US, "cpu,host=serverA,region=us-east value=1.0 946730096789012",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 946730096789012L)),
            refused("488f5287a04c6d0047ed078dc14b31b7", NS, "cpu,host=serverA,region=us-west =123i"),
            ok("48a9f9110b9832ec37727024d2ae7e8d", NS, "cpu,tag0=v\\ 0\\ 1,tag1=v2 value=1",
                    0,
                    s("cpu", tags("tag0", "v 0 1", "tag1", "v2"), f("1.0"), NOW)),
            refused("4a768c3777fc975c156187c44667eaf1", NS, "cpu,host="),
            ok("4bd0f1ac1822147255a9cfe7a5ce5163", NS, "cpu,ta\\ g0=\\, value=1",
                    0,
                    s("cpu", tags("ta g0", ","), f("1.0"), NOW)),
            refused("4e08802d7b94e083154e3605e53f928c", NS, "cpu,host=server01,region=us-west 1434055562000000000i"),
            ok("4f6947c48c72a4327f082cb4fc15a72f", NS, "cpu,host=serverA,region=us-east value=1.0,str=\"foo\",str2=\"bar\" 1000000000",
                    2,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            ok("5003d1c2515e0d88cbacc516ead975e6", NS, "cpu va\\,lue=42",
                    0,
                    s("cpu_va,lue", tags(), f("42.0"), NOW)),
            refused("50917f6de7ce19a6f15354d48aee8d21", NS, "m bad\377=1"),
            ok("513c8d80458b0cbca42ed1427fd400ce", NS, "cpu,tag0=\\, value=1",
                    0,
                    s("cpu", tags("tag0", ","), f("1.0"), NOW)),
            ok("52415e597431e45bf534ca1c2ac1356e", NS, "cpu,tag0=v0,tag1=v0 value=1",
                    0,
                    s("cpu", tags("tag0", "v0", "tag1", "v0"), f("1.0"), NOW)),
            refused("56ff88db80cd3c336df0e87b37781567", NS, "\" \017=2 \r\n\" \013=5 \r"),
            refused("5790a84e79f74c7ba7dac595ce916f92", NS, "cpu,host=serverA,region=us-west value=18446744073709551616u"),
            refused("58fffd30c1c9dad9c9984ccd5133f81a", NS, "m\0135=\" e=.0\r"),
            refused("59635ce380d88fb05e8b0358c42c63a1", NS, "cpu,host=serverA,region=us-west value=-9223372036854775809i"),
            refused("597ca7a43ce62aa777cf5ae58d496115", NS, "cpu value=1 9223372036854775807 12"),
            refused("59982a3514650f889137442530943a90", NS, "\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" f=0"),
            ok("5a156ca35e93b6845407eeebe7ab7f76", NS, "cpu,last=1,first=2 value=1i",
                    0,
                    s("cpu", tags("first", "2", "last", "1"), i("1"), NOW)),
            refused("5ad031a221d58ad63678723d1c8ecb78", NS, "u\013s=\" <=-138\r"),
            ok("5b1e7707310d809ec230cfa4635bf2ef", NS, "cpu,host=serverA,region=us-west value=.1",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("0.1"), NOW)),
            refused("5c237fbf9e979b88bb66322de5fa31db", NS, "cpu v=-. "),
            ok("5c3e4f5818cd76fcc231161a2f0a0b16", NS, "cpu,host=serverA,region=us-west value=1797693134862315708145274237317043567980705675258449"
                + "965989174768031572607800285387605895586327668781715404589535143824642343213268894641827684"
                + "675467035375169860499105765512820762454900903893289440758685084551339423045832369032229481"
                + "65808559332123348274797826204144723168738177180919299881250404026184124858368.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("1.7976931348623157e+308"), NOW)),
            refused("5cf24359afc94ef13998b0e04da832e9", NS, "\"\013f=\" r=0 -5\n\"\013f=\" 1=0 -7"),
            ok("5d8f01a6ad5aff1e9d84f7f7f352f520", NS, "cpu,host=serverA,region=us-west value=-000000017976931348623157081452742373170435679807056"
                + "752584499659891747680315726078002853876058955863276687817154045895351438246423432132688946"
                + "418276846754670353751698604991057655128207624549009038932894407586850845513394230458323690"
                + "3222948165808559332123348274797826204144723168738177180919299881250404026184124858368.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("-1.7976931348623157e+308"), NOW)),
            ok("5df2a1daf249678ac4bca97443a04780", NS, "cpu value=1.0 1257894000000000000\n",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            ok("5f1e832135dbf0161b3a1bb71a0be866", NS, "cpu value=18446744073709551615u",
                    0,
                    s("cpu", tags(), u("18446744073709551615"), NOW)),
            ok("5f82e0064904d6999d204c9199755782", NS, "cpu value=\"test\\\"\" 1000000000",
                    1),
            ok("5fbbf6af139eddff1cf2da1d5929cc37", NS, "cpu    value=1.0 1257894000000000000",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            ok("5ff8d1a88ea52fb2aac227394661a5b6", NS, "m,k=v f=0i",
                    0,
                    s("m_f", tags("k", "v"), i("0"), NOW)),
            refused("6010fd1d0b989fe02361429f3c079838", NS, "\" 6=0\n4\0132=\" f=3,6=0"),
            refused("6171d69a742de981fca301616313d0ef", NS, "cpu,host=serverAa\\,,=us-east value=1i"),
            refused("63186cfd191df19d08acaa55cdb44eb9", NS, "cpu \"\\, '= \"\\ v=1.0"),
            ok("63249cf0025e48546d5e20be25803d52", NS, "cpu,host=serverA,region=us-west value=-1i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("-1"), NOW)),
            refused("64c16c43d454d8dac6818c3d4e01d2b1", NS, "m,bad\377=foo v=1"),
            refused("6562c3a72650e1e0bb1e698cba3bc11b", NS, "cpu " + "ab".repeat(1024) + "=invalid\ncpu value=42"),
            refused("65a6b6d377ec56f1512ff0e89ff145cd", NS, "cpu value=NaN"),
            refused("67d183cdb8f40fe1d6a479dcbe2b47f2", NS, "cpu,host=serverA,region=us-west value=123i,=456i"),
            refused("6837894258ef57a0620fe72e30672178", NS, "cpu,host=serverA,region=us-west value=9223372036854775808i"),
            ok("6876b0102e7b1edaad4e37c2a1e5e3df", NS, "cpu value=\"test\\\\\\\"\" 1000000000",
                    1),
            refused("6891ed1743886fc992016bc88e674ed7", NS, "m\013f=3,5=\" e=.0\r"),
            ok("6a1e67b560df9c60ff77a25ab56f5bdd", NS, "m,region=west,server=b,foo=bar x=1",
                    0,
                    s("m_x", tags("foo", "bar", "region", "west", "server", "b"), f("1.0"), NOW)),
            refused("6b4e9e37cbf63f88c2bb3581382a682a", NS, "cpu,host=serverA,region=us-west value=--1u"),
            refused("6ce9b440970b50eca188c172d51516ea", NS, "cpu, =serverA value=1i"),
            refused("6daf562d2451ea4ad9442378bf2dbc6f", NS, "cpu,host=serverA,region=us-west value=a"),
            ok("6f4f6edb67aeb49357964e2d5ef4c812", NS, "m,region=w\\,est,server=a x=1",
                    0,
                    s("m_x", tags("region", "w,est", "server", "a"), f("1.0"), NOW)),
            ok("70073e7a2af923494ccbf6d7af948f42", NS, "cpu,host=serverA,region=us-east str=\"foo\\\\\",str2=\"bar\" 1000000000",
                    2),
            ok("713fc5be05c5613e005c1a93d5b43139", NS, "m v=42i,f=42 36",
                    0,
                    s("m_v", tags(), i("42"), 0L),
                    s("m_f", tags(), f("42.0"), 0L)),
            ok("729d6399404d2f6cfe3fd8684805e608", NS, "u r=\"o\n\"",
                    1),
            ok("72c29d89e183168b0725ab6593dcbcea", NS, "cpu,region\\ zone=east value=1.0",
                    0,
                    s("cpu", tags("region zone", "east"), f("1.0"), NOW)),
            refused("730136f6298b4b3e004002cf40d4f8c2", NS, "cpu,host=serverA,region=us-west value=-117976931348623157081452742373170435679807056752584"
                + "499659891747680315726078002853876058955863276687817154045895351438246423432132688946418276"
                + "846754670353751698604991057655128207624549009038932894407586850845513394230458323690322294"
                + "8165808559332123348274797826204144723168738177180919299881250404026184124858368.0"),
            ok("7405c8ea92ea42b5c4368b030840f122", NS, "m,re\\=gion=west,server=a x=1",
                    0,
                    s("m_x", tags("re=gion", "west", "server", "a"), f("1.0"), NOW)),
            refused("74968b5f35a6477d695b593360d7da5d", NS, "cpu,host=serverA\\,,=us-east value=1i"),
            refused("74cc8c74c18b6b0b9808faedc6201f2e", NS, "cpu,host value=1i"),
            ok("74fa7f6f3c80311cd674e16bb3e0c297", NS, "cpu,host=serverA,region=us-east value=1.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), NOW)),
            ok("7529ba9d57539713e2f34ef8157849e0", NS, "cpu value=42 0\n",
                    0,
                    s("cpu", tags(), f("42.0"), 0L)),
            ok("777580bc1acaae99f44d80cb1296df48", NS, "cpu,host=serverA,region=us-west value=-1.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("-1.0"), NOW)),
            refused("781bc8f98a19f7546ad795a4ec873621", NS, "cpu,host=serverA,=us-east value=1i"),
            ok("78a34ddbb0126a6e52687d4bd195aeaf", NS, "cpu,tag0=\\,1 value=1",
                    0,
                    s("cpu", tags("tag0", ",1"), f("1.0"), NOW)),
            refused("790e120c05fbbfcb11b57f7bca59942b", NS, "cpu,host=serverA,region=us-west value=1179769313486231570814527423731704356798070567525844"
                + "996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768"
                + "467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948"
                + "165808559332123348274797826204144723168738177180919299881250404026184124858368.0"),
            ok("7a3734d3022e47c841f08b1ee5570ad5", NS, "cpu,host=serverA,region=us-east true=true,t=t,T=T,TRUE=TRUE,True=True,false=false,f=f,F=F,"
                + "FALSE=FALSE,False=False 1000000000",
                    0,
                    s("cpu_true", tags("host", "serverA", "region", "us-east"), b(true), 1000000L),
                    s("cpu_t", tags("host", "serverA", "region", "us-east"), b(true), 1000000L),
                    s("cpu_T", tags("host", "serverA", "region", "us-east"), b(true), 1000000L),
                    s("cpu_TRUE", tags("host", "serverA", "region", "us-east"), b(true), 1000000L),
                    s("cpu_True", tags("host", "serverA", "region", "us-east"), b(true), 1000000L),
                    s("cpu_false", tags("host", "serverA", "region", "us-east"), b(false), 1000000L),
                    s("cpu_f", tags("host", "serverA", "region", "us-east"), b(false), 1000000L),
                    s("cpu_F", tags("host", "serverA", "region", "us-east"), b(false), 1000000L),
                    s("cpu_FALSE", tags("host", "serverA", "region", "us-east"), b(false), 1000000L),
                    s("cpu_False", tags("host", "serverA", "region", "us-east"), b(false), 1000000L)),
            refused("7ab554f380c10ef306f979203ba4ec53", NS, "cpu,host=serverA,region=us-west value=-"),
            ok("7d5cc2f47bfbcc3890e3d077a950aa1a", MS, "cpu,host=serverA,region=us-east value=1.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), NOW)),
            ok("7dc95d7c6966e8062f7caede23dae716", NS, "cpu,host=serverA,region=us-west value=9223372036854775807i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("9223372036854775807"), NOW)),
            ok("7dd4426673ab0b1db0190476101ea588", NS, "cpu,ho\\=st=localhost value=42",
                    0,
                    s("cpu", tags("ho=st", "localhost"), f("42.0"), NOW)),
            ok("7e13908609ae8781f04b77693dfa5316", NS, "cpu,host=serverA,region=us-west value=0009223372036854775807i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("9223372036854775807"), NOW)),
            ok("807eaced2023ef9d7ec0b31f07380f18", NS, "cpu,host=serverA,region=us-west value=1E4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("10000.0"), NOW)),
            ok("83765fa3986c3891e30a26dca2a2fffd", NS, "cpu,host=serverA,region=us-east int=10i,float=11.0,float2=12.1 1000000000",
                    0,
                    s("cpu_int", tags("host", "serverA", "region", "us-east"), i("10"), 1000000L),
                    s("cpu_float", tags("host", "serverA", "region", "us-east"), f("11.0"), 1000000L),
                    s("cpu_float2", tags("host", "serverA", "region", "us-east"), f("12.1"), 1000000L)),
            ok("83d25b1a9c4a7ea038662a1844ad5111", NS, "cpu      value=1.0     1257894000000000000",
                    0,
                    s("cpu", tags(), f("1.0"), 1257894000000000L)),
            ok("851cebafb8dac9d747e81a63f496ba57", NS, "cpu,host=serverA,region=us-west value=0000u",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), u("0"), NOW)),
            refused("86ad5415533a0ab3e763c31c9b7c0bec", NS, "m\0132=\" f=3,5=2e6\r"),
            refused("8777ed9a6ae7cc0589f981b52a4a539b", NS, "0 \010=0\n8\013f=0 56846=8i"),
            ok("898a6bb0904f32f72d5a3eab039f33af", NS, "cpu,regions=east\\,west value=1.0",
                    0,
                    s("cpu", tags("regions", "east,west"), f("1.0"), NOW)),
            refused("89beba88441c3c5354ad08d01ed03d19", NS, "m\302\240v=1"),
            ok("8ad9aee4e492d1a3b6689027953a9209", NS, "cpu=load,equals\\=foo=tag\\=value value=1i",
                    0,
                    s("cpu=load", tags("equals=foo", "tag=value"), i("1"), NOW)),
            refused("8b0ec0c0e9cd8d8b219087939677fd37", NS, "cpu value=nAn 1000000000"),
            ok("8b8a7c4cc0ae2473efb5208a59022f17", NS, "cpu,regions=east\\\\  value=1.0",
                    0,
                    s("cpu", tags("regions", "east\\ "), f("1.0"), NOW)),
            ok("8cfb7000e65db62d8c8007e0624816e8", NS, "cpu value=42 0",
                    0,
                    s("cpu", tags(), f("42.0"), 0L)),
            ok("8e68e2d04493b98acd3e0815559a60e7", NS, "cpu,reg\\\\=ion=east value=1.0",
                    0,
                    s("cpu", tags("reg\\=ion", "east"), f("1.0"), NOW)),
            refused("90079bd73d915ef01f0fa6b3cbf01459", NS, "cpu,host=serverA value=\"test"),
            ok("909116df4d304c2e9ad8a57300bc08d7", NS, "m v=\"\\t\"",
                    1),
            refused("90ed2070c5f80d5502fc10575e3f7cff", NS, "cpu,host=f\\==o,"),
            refused("911ea3f8980fd26965d7c5119a1c0c7f", NS, "cpu"),
            refused("92730b438436404b829d1e7e9e121a22", NS, "cpu,host=serverA,region=us-west value=9e10i"),
            ok("933321120784d3ad72a6d33e35d6f04c", NS, "cpu,regions=\\\\,\\,\\=east value=1.0",
                    0,
                    s("cpu", tags("regions", "\\,,=east"), f("1.0"), NOW)),
            ok("9623c43476874ceda1072eb012edf050", NS, "cpu value=1. 1000000000",
                    0,
                    s("cpu", tags(), f("1.0"), 1000000L)),
            ok("98692f7aa255f4bddeab1bce627c5531", NS, "cpu,host=serverA,region=us-west value=-0009223372036854775808i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("-9223372036854775808"), NOW)),
            refused("99060633a0ccd4d02a88f70b737892e2", NS, "cpu,host=serverA value=\"test\"\""),
            ok("994f80c40d8605b042facd31bc268d80", NS, "cpu value=\"42\"",
                    1),
            refused("999a0c4e985fd7ced2546f04e901ab92", NS, "m, x=1"),
            ok("9b98fab701531e482c25e357150495ce", NS, "cpu,\\ =east value=1.0",
                    0,
                    s("cpu", tags(" ", "east"), f("1.0"), NOW)),
            refused("9bd2c7304ab5b511622bff5ee6bb739c", NS, "cpu,host=serverA,region= value=1i"),
            ok("9bd741092605d0004da181cc193d0ac4", NS, "cpu value=true",
                    0,
                    s("cpu", tags(), b(true), NOW)),
            ok("9d0006422e4183cd9ccbebda013af3da", NS, "cpu,regions=\\\\ east value=1.0",
                    0,
                    s("cpu", tags("regions", "\\ east"), f("1.0"), NOW)),
            ok("9d786a8e63d92d59cb75b7a5b62d6ddb", S, "cpu,host=serverA,region=us-east value=1.0 946730096",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 946730096000000L)),
            refused("9d791b1c6ecdd7ff5f8104308915a6cc", NS, "u e=0 9\nF \t=F 9\nI \020=F 5\nF \t=F 9\nI \020=F 3"),
            refused("9e9c9fc0493ac260f8a27ed96e80edaa", NS, "cpu_load_short,host=server01,region=us-west"),
            refused("9eae89222bad5010ac8e57483f564352", NS, "cpu,host=server01,region=us-west value=1i,b"),
            refused("a02aab4c616a523b89c419dc100e70fd", NS, "\t\n\n\t"),
            ok("a04be94c8c7bd94f4fc5396d973e8a31", NS, "cpu value=9223372036854775807i",
                    0,
                    s("cpu", tags(), i("9223372036854775807"), NOW)),
            refused("a1ff4186b3c89a88417e3ba268a03a14", NS, "x\001y v=1"),
            refused("a2104143356bbe4f000c8d513d8f73e8", NS, "\" r=f\n\002 r=f\n\" r=f\n\002 r=f\n"),
            ok("a35be0f02cc9ac871a3376b56520ca52", NS, "cpu,host=serverA,region=us-east value=1.0,str=\"foo\\,bar\" 1000000000",
                    1,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            refused("a50fbe878a22d8baf09cc67d4e22a5ee", NS, "cpu,host=serverA,region value=1i"),
            ok("a563b775824f04b6fb7cfdf8827da7df", NS, "cpu va\\lue=42",
                    0,
                    s("cpu_va\\lue", tags(), f("42.0"), NOW)),
            refused("a5ad697c142e6043f0891a33b762ec73", NS, "\" U=True\n\002 U=True\n\002 U=True\n\002 U=True\n"),
            refused("a60564d9e42eefc1c0bf8027a80e8431", NS, "cpu,something= value=42"),
            ok("a60935c00566501026faa88bc9b042e0", NS, "cpu value=1 1000000000",
                    0,
                    s("cpu", tags(), f("1.0"), 1000000L)),
            refused("a61ed8f916e93045e64cde4ca7786a02", NS, "cpu value=1 1-"),
            refused("a667a7c1a0587907bf12d6c3cc130fa8", NS, "\" r=f\n\" r=f\n\002 r=f\n"),
            refused("a82631a07f2a383141237660c16e8eb9", NS, "cpu,b=2,b=1,c=3 value=1i 1000000000"),
            refused("aa68e136fd5e2930acf8aa931a4f9712", NS, "cpu v=- "),
            ok("abb66337f06a6ec5aec04d0e989862c0", NS, "cpu,\"host\"=\"serverA\",region=us-east value=1.0 1000000000",
                    0,
                    s("cpu", tags("\"host\"", "\"serverA\"", "region", "us-east"), f("1.0"), 1000000L)),
            ok("ac1b97d1449ce17890a434da85ae2cf8", NS, "cpu\\,main,regions=east value=1.0",
                    0,
                    s("cpu,main", tags("regions", "east"), f("1.0"), NOW)),
            refused("ad4649c6a5a66d243033a2c73bfd5331", NS, "=\013f=0 511=05\n0\013f=0 681=05\n"),
            ok("ae2de74e2cd5155c0c0bf2df02754952", NS, "cpu,host=serverA,region=us-east value=1.0,str=\"foo,bar\" 1000000000",
                    1,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            refused("b1254397bcfe2c90403a8901d3d24567", NS, "cpu value=1 -"),
            refused("b22d0a2ca8bb8d8b26e51bdce1fa0b55", NS, "cpu value=1 9223372036854775808"),
            ok("b25bda8a3694aa1431e1dd594f23b12d", NS, "cpu,host=serverA,region=us-west a\\ =123i",
                    0,
                    s("cpu_a ", tags("host", "serverA", "region", "us-west"), i("123"), NOW)),
            refused("b5a8f4acd99818316ee5aff62f48736c", NS, "m,foo=bad\377 v=1"),
            ok("b8a62560f778b5d81f1a160da82715c4", NS, "cpu,host=serverA,region=us-west value=1.0E4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("10000.0"), NOW)),
            ok("b9995e54e6d8ff6785c9ced85101753a", NS, "cpu,cpu=cpu0,host=localhost value=42",
                    0,
                    s("cpu", tags("cpu", "cpu0", "host", "localhost"), f("42.0"), NOW)),
            refused("bcbe41a67b7238c6502dd7f0d147b4f9", NS, "cpu,host"),
            refused("bcd8f39fe8337d5c84e0bfddc61e78f8", NS, "cpu,"),
            refused("becde1a0c476076535ec15390be67032", NS, "\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\""
                + " f=0"),
            ok("bedd57151d8c477ce6ea414bdea4325b", NS, "cpu \\a=1i",
                    0,
                    s("cpu_\\a", tags(), i("1"), NOW)),
            refused("c0ce359f018a4255f4152ca2bc156ca7", NS, "\t\n\t\n\n\t\n\t"),
            refused("c241bae7f02696b00eb68bf144b6a2c3", NS, "m\013f=\" \000=0\r"),
            ok("c2d6a608f3179aa48138ed8b460a94e5", NS, "cpu,host=serverA,region=us-west value=18446744073709551615u",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), u("18446744073709551615"), NOW)),
            ok("c402dc138c06d0054f5fc794a3bffa51", NS, "cpu,host=serverA,region=us-west value=0u",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), u("0"), NOW)),
            refused("c4fa66be664cd25c53cf55b555d66654", NS, "cpu,host=serverA,region=us-west value=1.1.1"),
            ok("c6999759167c19fef2ee5403e72a856b", NS, "cpu va\\ lue=42",
                    0,
                    s("cpu_va lue", tags(), f("42.0"), NOW)),
            refused("c6ecafbf7b8b36c7f6aa38d6b7e59e75", NS, "\"\013f=\" f=0\n\"\013f=\" f=0\n\"\013f=\" \013=0"),
            ok("cac6f95bc7b93f3a06141a32cc95b073", NS, "cpu value=42u",
                    0,
                    s("cpu", tags(), u("42"), NOW)),
            ok("cbdf2e0fcf8f6e89be00fe80789e335a", NS, "cpu,host=serverA,region=us-east value=\"{Hello\\\"{,}\\\" World}\" 1000000000",
                    1),
            ok("cc511fa17aed9f335695d28ce1e4e045", NS, "cpu,host=serverA,region=us-west value=0000179769313486231570814527423731704356798070567525"
                + "844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182"
                + "768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222"
                + "948165808559332123348274797826204144723168738177180919299881250404026184124858368.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("1.7976931348623157e+308"), NOW)),
            refused("cc946cf461428a7ed618009759cd4432", NS, "cpu,host=serverA,region=us-west ="),
            ok("ccf751feee546e6e0e75d8f2ad17d872", NS, "cpu,host=serverA,region=us-east value=1.0,str=\"foo bar\" 1000000000",
                    1,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            refused("ce6e11d399b922c1eb23bbbefd8d54d8", NS, "\"\013f=\" e=-1i\n\"\013f=\" e=-1i"),
            refused("cfd8fedc12a563d596f8c1a7c1627a1b", NS, "\" U=0\n\"\0132=\" U=f"),
            ok("d00f6348ff30faffe56d97abccfef3cc", NS, "cpu,host=serverA,region=us-west value=00018446744073709551615u",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), u("18446744073709551615"), NOW)),
            refused("d0e2590863e6978ecc73afdd88599f5d", NS, "\"\013f=\" r=f\n\"\013f=\" r=f\n\"\013f=\" r=f"),
            refused("d1607bc23a816bf8f007ed86bd5a731a", NS, "cpu value=42\ncpu value=invalid\ncpu value=42"),
            ok("d1f9f85d5b2f13ba287a03c368db3e0b", NS, "t s=\"abcdefg\"",
                    1),
            ok("d1fdb38b4c98bec7f01b3e42739e88e8", NS, "cpu value=\"how\\\\dy\"",
                    1),
            refused("d2968e6b9b0b309f305736677940b36c", NS, "m,k=x\001y v=1"),
            refused("d313151b678ec4edf087f5ad89b6a774", NS, "m\0132=\" f=3,6=9\n4\0132=\" f=3,6=9\n4\0132=\" f=3,6=9\n"),
            refused("d337fd7d15aff62d94658c1c7ffb7f9d", NS, "cpu,host=f=o,"),
            refused("d358219c5b4d3bd740a7312675274250", NS, "u e=0 1257894000000025\n=\t\020=F 1707364777610870000\t=F 7364777610871579\nI \020=F 34042"
                + "677129506966"),
            refused("d3c420d456741a6640bb640bd0579093", NS, "cpu v=-i "),
            ok("d48b040e67dc2995e27537444c453790", NS, "m v=\"x\001y\"",
                    1),
            ok("d532e332af9cd218c2a526ad32f22371", NS, "cpu,tag0=v0,_field=v0 value=1",
                    0,
                    s("cpu", tags("_field", "v0", "tag0", "v0"), f("1.0"), NOW)),
            ok("d5389977446839efa2ac492dfda5b823", NS, "cpu va\\=lue=42",
                    0,
                    s("cpu_va=lue", tags(), f("42.0"), NOW)),
            refused("d54289eee1955378a030beff602f98a4", NS, "cpu value=9223372036854775808i\ncpu value=42"),
            refused("d5c0bedb4479314ac8f539ed3b0de4fe", NS, "cpu, value=1"),
            ok("d714c00bc47c50e4f779d8a135917e52", NS, "cpu,host=serverA,region=us-east value=\"w\303\250\" 1000000000",
                    1),
            ok("d7f50fecc046f0fb1800b5596d2418a5", NS, "cpu value=6.632243e+06 1000000000",
                    0,
                    s("cpu", tags(), f("6632243.0"), 1000000L)),
            ok("d82674b09079214378025e93cbcf6c2d", NS, "procstat,exe=bash,process_name=bash voluntary_context_switches=42i,memory_rss=5103616i,rli"
                + "mit_memory_data_hard=2147483647i,cpu_time_user=0.02,rlimit_file_locks_soft=2147483647i,pid"
                + "=29417i,cpu_time_nice=0,rlimit_memory_locked_soft=65536i,read_count=259i,rlimit_memory_vms"
                + "_hard=2147483647i,memory_swap=0i,rlimit_num_fds_soft=1024i,rlimit_nice_priority_hard=0i,cp"
                + "u_time_soft_irq=0,cpu_time=0i,rlimit_memory_locked_hard=65536i,realtime_priority=0i,signal"
                + "s_pending=0i,nice_priority=20i,cpu_time_idle=0,memory_stack=139264i,memory_locked=0i,rlimi"
                + "t_memory_stack_soft=8388608i,cpu_time_iowait=0,cpu_time_guest=0,cpu_time_guest_nice=0,rlim"
                + "it_memory_data_soft=2147483647i,read_bytes=0i,rlimit_cpu_time_soft=2147483647i,involuntary"
                + "_context_switches=2i,write_bytes=106496i,cpu_time_system=0,cpu_time_irq=0,cpu_usage=0,memo"
                + "ry_vms=21659648i,memory_data=1576960i,rlimit_memory_stack_hard=2147483647i,num_threads=1i,"
                + "rlimit_memory_rss_soft=2147483647i,rlimit_realtime_priority_soft=0i,num_fds=4i,write_count"
                + "=35i,rlimit_signals_pending_soft=78994i,cpu_time_steal=0,rlimit_num_fds_hard=4096i,rlimit_"
                + "file_locks_hard=2147483647i,rlimit_cpu_time_hard=2147483647i,rlimit_signals_pending_hard=7"
                + "8994i,rlimit_nice_priority_soft=0i,rlimit_memory_rss_hard=2147483647i,rlimit_memory_vms_so"
                + "ft=2147483647i,rlimit_realtime_priority_hard=0i 1517620624000000000",
                    0,
                    s("procstat_voluntary_context_switches", tags("exe", "bash", "process_name", "bash"), i("42"), 1517620624000000L),
                    s("procstat_memory_rss", tags("exe", "bash", "process_name", "bash"), i("5103616"), 1517620624000000L),
                    s("procstat_rlimit_memory_data_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_cpu_time_user", tags("exe", "bash", "process_name", "bash"), f("0.02"), 1517620624000000L),
                    s("procstat_rlimit_file_locks_soft", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_pid", tags("exe", "bash", "process_name", "bash"), i("29417"), 1517620624000000L),
                    s("procstat_cpu_time_nice", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_rlimit_memory_locked_soft", tags("exe", "bash", "process_name", "bash"), i("65536"), 1517620624000000L),
                    s("procstat_read_count", tags("exe", "bash", "process_name", "bash"), i("259"), 1517620624000000L),
                    s("procstat_rlimit_memory_vms_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_memory_swap", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_rlimit_num_fds_soft", tags("exe", "bash", "process_name", "bash"), i("1024"), 1517620624000000L),
                    s("procstat_rlimit_nice_priority_hard", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_cpu_time_soft_irq", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_cpu_time", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_rlimit_memory_locked_hard", tags("exe", "bash", "process_name", "bash"), i("65536"), 1517620624000000L),
                    s("procstat_realtime_priority", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_signals_pending", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_nice_priority", tags("exe", "bash", "process_name", "bash"), i("20"), 1517620624000000L),
                    s("procstat_cpu_time_idle", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_memory_stack", tags("exe", "bash", "process_name", "bash"), i("139264"), 1517620624000000L),
                    s("procstat_memory_locked", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_rlimit_memory_stack_soft", tags("exe", "bash", "process_name", "bash"), i("8388608"), 1517620624000000L),
                    s("procstat_cpu_time_iowait", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_cpu_time_guest", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_cpu_time_guest_nice", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_rlimit_memory_data_soft", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_read_bytes", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_rlimit_cpu_time_soft", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_involuntary_context_switches", tags("exe", "bash", "process_name", "bash"), i("2"), 1517620624000000L),
                    s("procstat_write_bytes", tags("exe", "bash", "process_name", "bash"), i("106496"), 1517620624000000L),
                    s("procstat_cpu_time_system", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_cpu_time_irq", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_cpu_usage", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_memory_vms", tags("exe", "bash", "process_name", "bash"), i("21659648"), 1517620624000000L),
                    s("procstat_memory_data", tags("exe", "bash", "process_name", "bash"), i("1576960"), 1517620624000000L),
                    s("procstat_rlimit_memory_stack_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_num_threads", tags("exe", "bash", "process_name", "bash"), i("1"), 1517620624000000L),
                    s("procstat_rlimit_memory_rss_soft", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_rlimit_realtime_priority_soft", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_num_fds", tags("exe", "bash", "process_name", "bash"), i("4"), 1517620624000000L),
                    s("procstat_write_count", tags("exe", "bash", "process_name", "bash"), i("35"), 1517620624000000L),
                    s("procstat_rlimit_signals_pending_soft", tags("exe", "bash", "process_name", "bash"), i("78994"), 1517620624000000L),
                    s("procstat_cpu_time_steal", tags("exe", "bash", "process_name", "bash"), f("0.0"), 1517620624000000L),
                    s("procstat_rlimit_num_fds_hard", tags("exe", "bash", "process_name", "bash"), i("4096"), 1517620624000000L),
                    s("procstat_rlimit_file_locks_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_rlimit_cpu_time_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_rlimit_signals_pending_hard", tags("exe", "bash", "process_name", "bash"), i("78994"), 1517620624000000L),
                    s("procstat_rlimit_nice_priority_soft", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L),
                    s("procstat_rlimit_memory_rss_hard", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_rlimit_memory_vms_soft", tags("exe", "bash", "process_name", "bash"), i("2147483647"), 1517620624000000L),
                    s("procstat_rlimit_realtime_priority_hard", tags("exe", "bash", "process_name", "bash"), i("0"), 1517620624000000L)),
            ok("d8a7cd920c2951e19b0fa49dc3ccb919", NS, "cpu,_measurement=v0,tag0=v0 value=1",
                    0,
                    s("cpu", tags("_measurement", "v0", "tag0", "v0"), f("1.0"), NOW)),
            refused("d921366fc3eb77ee4d35868035c8812e", NS, "m f=\"blah\"=123,r 1531703600000000000"),
            ok("dafd6ef4fda458a58d37679a0eb82e8c", NS, "cpu,host=serverA,\\ =us-east value=1i",
                    0,
                    s("cpu", tags(" ", "us-east", "host", "serverA"), i("1"), NOW)),
            // 255 tags: the reference takes them; Sluice refuses more than SeriesKey.MAX_TAGS (64), a
            // documented limit (and the server more than max_tags, 32 by default).
            limit("dc62d6392272341b7571891c3088a89f", "cpu" + manyTags(255) + " value=1", "more than 64 tags"),
            refused("ddaec4474adb1a838c4e170b8fb6c57e", NS, "m x\001y=1"),
            refused("dfa6432a639651d02910c4527badb15c", NS, "#\n#\025\"\013f=#\n#\025\"\013f\"\013f=0 -\"=\"\"\013f=\"#\n#\025\"\013f=#\n#"),
            refused("e0fc4c06b52b20ea0c6695c3f951e2df", NS, "cpu,host=serverA,region=us-west value=9ie10"),
            refused("e1fa56fcd9019a74556da3945d211cfa", NS, "cpu,host=serverA,region=us-west value=.1a"),
            refused("e2a3b1c2ffe3850de49a38eb7773241e", NS, "a v=1 0\\"),
            refused("e2c746c7bfdf0bb33d4057f12eb0b665", NS, "bad\377 v=1"),
            ok("e613f5d8fb3351d897e8ee8ece13c202", NS, "cpu,host=serverA,region=us-east value=1.0 1000000000",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), 1000000L)),
            ok("e9a198763a1cec80376582d72a379c10", NS, "cpu,ho\\,st=localhost value=42",
                    0,
                    s("cpu", tags("ho,st", "localhost"), f("42.0"), NOW)),
            ok("ea7ad6289581283d56af6d43c72c2664", NS, "m v=\"\\n\"",
                    1),
            ok("ed362d9358ca8396e277418d4051af70", NS, "t s=\"quote \\\" then backslash \\\\ .\"",
                    1),
            refused("eedf6114ed1d11b7ec03110b534aa3c9", NS, "cpu value=9223372036854775808i"),
            ok("efe98eaed552cf5b106c7418fddcb672", NS, "cpu,regions=eas\\t value=1.0",
                    0,
                    s("cpu", tags("regions", "eas\\t"), f("1.0"), NOW)),
            ok("f065223aadb5c06129c876f880b34fe9", NS, "m,region=west x=1",
                    0,
                    s("m_x", tags("region", "west"), f("1.0"), NOW)),
            refused("f06a50fba369fe8f7366da683f7a6396", NS, "m\0136=\"\" U=F\nm\0136=\"\" U=F"),
            refused("f18ab571373a4ca6bd956e12d0391bdc", NS, "m\0136=\"\" U=F\nm\0136=\"\" U=F\nm\0136=\"\" U=F"),
            ok("f18ef91942f23c6c09d9f3135bc20196", NS, "cpu value=-0.64 1000000000",
                    0,
                    s("cpu", tags(), f("-0.64"), 1000000L)),
            ok("f1930c5c9f954ad0114aa24c0b2a55df", NS, "cpu,host=serverA,region=us-west value=-9223372036854775808i",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), i("-9223372036854775808"), NOW)),
            refused("f261c0f640511980fc40d89c195fbb17", NS, "cpu value=1 -92233720368547758078"),
            ok("f2b15b4703c659b7f83e7d759a94bb36", NS, "cpu,host=serverA,region=us-east str=\"foo \\\" bar\" 1000000000",
                    1),
            refused("f3d59e84ee332a0adf44e86ecf087b59", NS, "m f=\"bad\377\""),
            refused("f707dbb827afe99710cd22dcac7d8756", NS, "cpu,host=="),
            refused("f8ccd78f52d6485b24303a99b4c314b2", NS, "\" U=True\n\002 U=True\n\002 U=True\n\002 U=True\n\002 U=True\n\002 U=True\n\002 U=True\n"
                + "\002 U=True\n\002 U=True\n"),
            refused("f92a24350c142df739e4b465dfd8d5b9", NS, "cpu v= "),
            refused("f9d6e94df94cb7ae71cc5468ede46fcd", NS, "\" U=True\n\002 U=True\n"),
            refused("f9e4787a097e564cdac0b81fc2603289", NS, "cpu v=1a "),
            ok("fa5dde0cb40abcae206b2a31ab0fba60", NS, "cpu,ho\\st=localhost value=42",
                    0,
                    s("cpu", tags("ho\\st", "localhost"), f("42.0"), NOW)),
            ok("fae5598e8cb33c7b5ca453dabe7d1f1a", NS, "cpu value=1 -1",
                    0,
                    s("cpu", tags(), f("1.0"), -1L)),
            refused("fc1b06054d0d161bdb48184fe6c1c42b", NS, "\"\013f=\" r=f\n\"\013f=\" r=f"),
            ok("fc1ff2fc1c70ecf16c9749e1fd17dff2", NS, "cpu,regions=east value=\"1\"",
                    1),
            refused("fcb87143906b71ac6e18f3d5fb5b774a", NS, "m\013\000=\"\013e=2e- \000=4\r"),
            refused("fcbf36a02fffb1937e97cd0bab7f0fcf", NS, "m,x\001y=v v=1"),
            ok("fdb81c538b319a599eb0d48efa42706a", NS, "cpu,host=serverA,region=us-west value=1e4",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-west"), f("10000.0"), NOW)),
            ok("fecf15d7cbe5f31e0acb15f3fc71fe91", NS, "cpu,tag0=1\\\"\\\",t=k value=1",
                    0,
                    s("cpu", tags("t", "k", "tag0", "1\\\"\\\""), f("1.0"), NOW)),
            ok("ff32a5500a9dc74ae16a819da7d51ccc", NS, "m,\\ e\\ \\=o=world,server=a x=1",
                    0,
                    s("m_x", tags(" e =o", "world", "server", "a"), f("1.0"), NOW)),
            ok("ff332bb8cae345b1bdb2b3870a19bed7", US, "cpu,host=serverA,region=us-east value=1.0",
                    0,
                    s("cpu", tags("host", "serverA", "region", "us-east"), f("1.0"), NOW)),
            ok("ff9b943052a5cb5c92aba7459bce8a09", NS, "cpu,host=two\\\\ words value=42",
                    0,
                    s("cpu", tags("host", "two\\ words"), f("42.0"), NOW))
        );
    }

    static Case ok(String key, Precision p, String input, int strings, Sample... samples) {
        return new Case(key, p, bytes(input), false, null, strings, List.of(samples));
    }

    static Case refused(String key, Precision p, String input) {
        return new Case(key, p, bytes(input), true, null, 0, List.of());
    }

    /** The reference decodes it; Sluice's documented limit refuses it, with this reason. */
    static Case limit(String key, String input, String reason) {
        return new Case(key, NS, bytes(input), true, reason, 0, List.of());
    }

    /** The input's bytes: the literals hold one char per byte (escapes for the rest). */
    static byte[] bytes(String input) {
        return input.getBytes(StandardCharsets.ISO_8859_1);
    }

    static Sample s(String metric, Map<String, String> tags, double value, long time) {
        return Sample.of(metric, tags, time, value);
    }

    static Map<String, String> tags(String... kv) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static double f(String text) {
        return Double.parseDouble(text);
    }

    static double i(String text) {
        return Long.parseLong(text);
    }

    static double u(String text) {
        return new BigInteger(text).doubleValue();
    }

    static double b(boolean v) {
        return v ? 1 : 0;
    }

    static String manyTags(int n) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < n; t++) {
            sb.append(",tag").append(t).append("=value").append(t);
        }
        return sb.toString();
    }
}
