package dev.rampart.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The tests' Spark: local[2], no UI, bound to the loopback address, quiet. */
final class LocalSpark {

    private LocalSpark() {
    }

    static JavaSparkContext start(String name) {
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(name)
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("ERROR");
        return sc;
    }
}
