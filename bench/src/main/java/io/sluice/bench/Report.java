package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The final report: a table on stdout, and JSON when asked. */
final class Report {
    private Report() {
    }

    /**
     * @param ratioTo prefix of the scenario whose rate is the reference (the latest one before
     *                each row), or null
     */
    static void print(List<Result> results, String ratioTo, String jsonFile) throws IOException {
        System.out.printf("%n%-40s %12s %9s %14s %8s%n", "scenario", "rows", "seconds", "rows/s", "ratio");
        List<Map<String, Object>> json = new ArrayList<>();
        Result ref = null;
        for (Result r : results) {
            if (ratioTo != null && r.scenario().startsWith(ratioTo)) {
                ref = r;
            }
            boolean compared = ref != null && r.landsRows();
            String ratio = compared ? String.format("%.2f", r.rate() / ref.rate()) : "";
            System.out.printf("%-40s %,12d %9.2f %,14.0f %8s%n", r.scenario(), r.rows(), r.seconds(), r.rate(), ratio);
            Map<String, Object> m = new LinkedHashMap<>(r.asMap());
            if (compared) {
                m.put("ratio_to_ceiling", Math.round(r.rate() / ref.rate() * 1000) / 1000.0);
            }
            json.add(m);
            for (Map.Entry<String, Object> e : r.extra().entrySet()) {
                System.out.printf("    %-28s %s%n", e.getKey(), e.getValue());
            }
        }
        if (jsonFile != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(new File(jsonFile), json);
            System.out.println("JSON report: " + jsonFile);
        }
    }
}
