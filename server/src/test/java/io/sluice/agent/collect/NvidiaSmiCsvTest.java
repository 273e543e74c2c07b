package io.sluice.agent.collect;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NvidiaSmiCsvTest {
    /**
     * What {@code nvidia-smi --query-gpu=<QUERY> --format=csv,noheader,nounits} prints on a machine
     * with a workstation card and a data-centre card (which has no fan, so fan.speed is [N/A]).
     */
    static final String TWO_GPUS = """
            0, GPU-5b3e7e1c-8a62-4f0e-9d31-2c7f0a6b1e44, NVIDIA GeForce RTX 3090, P2, 87, 41, 24576, 18211, 6101, 71, 312.45, 64
            1, GPU-0f9d2a7b-13c4-4b8e-a5d6-7e8f9a0b1c2d, NVIDIA A100-SXM4-80GB, P0, 100, 73, 81920, 80013, 1378, 62, 398.17, [N/A]
            """;

    private static List<Sample> parse(String text, int[] bad) {
        List<Sample> out = new ArrayList<>();
        bad[0] = NvidiaSmiCsv.parse(text, new Readings(out, 1_700_000_000_000L));
        return out;
    }

    @Test
    void eachGpuIsAPointTaggedByIndexUuidNameAndPstate() {
        int[] bad = new int[1];
        List<Sample> s = parse(TWO_GPUS, bad);
        assertThat(bad[0]).isZero();
        assertThat(s).allSatisfy(x -> assertThat(x.measurement()).isEqualTo("nvidia_smi"));
        Sample first = s.get(0);
        assertThat(first.tags()).isEqualTo(Map.of("index", "0", "uuid", "GPU-5b3e7e1c-8a62-4f0e-9d31-2c7f0a6b1e44",
                "name", "NVIDIA GeForce RTX 3090", "pstate", "P2"));
        assertThat(s.stream().filter(x -> x.tags() == first.tags()).map(x -> x.field() + "=" + x.value()))
                .containsExactly("utilization_gpu=87.0", "utilization_memory=41.0", "memory_total=24576.0",
                        "memory_used=18211.0", "memory_free=6101.0", "temperature_gpu=71.0", "power_draw=312.45",
                        "fan_speed=64.0");
        assertThat(first.timeMs()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aValueTheCardDoesNotReportIsLeftOutNotZero() {
        List<Sample> a100 = parse(TWO_GPUS, new int[1]).stream().filter(x -> x.tags().get("index").equals("1")).toList();
        assertThat(a100).extracting(Sample::field).doesNotContain("fan_speed").contains("power_draw");
        String notSupported = "0, GPU-1, Tesla K80, P8, 0, 0, 11441, 0, 11441, 34, [Not Supported], [Not Supported]\n";
        assertThat(parse(notSupported, new int[1])).extracting(Sample::field)
                .doesNotContain("power_draw", "fan_speed").hasSize(6);
    }

    @Test
    void aLineNotInTheAskedFormIsCountedAndSkipped() {
        int[] bad = new int[1];
        List<Sample> s = parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
                + TWO_GPUS.lines().findFirst().orElseThrow() + "\n\n", bad);
        assertThat(bad[0]).isEqualTo(1);
        assertThat(s).hasSize(8);
    }
}
