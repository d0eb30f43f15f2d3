package flk.peer;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The bench's Kafka Streams peer (docs/benchmarks.md, "Kafka Streams peer"): the verifier's per-record
 * work for a v0.1 HMAC record, as a Kafka Streams exactly_once_v2 topology on the same broker and
 * input topic. Per record: Confluent wire format (magic 0, 4-byte schema id, Avro PCS) decoded with
 * Apache Avro against schemas/pcs-v1.avsc; pcs_id recomputed (§1); the v0.1 canonical payload
 * (§2.1-2.3) built, SHA-256 + HMAC-SHA256 checked against `sig`; a dedup claim in a changelogged
 * state store (the verifier's Redis claim); D̂ (Theil-Sen), budget and regime recomputed and compared
 * with the contract's default tolerances (§3-5); a JSON verdict {pcs_id, status, reasons,
 * recomputed_D_hat, duplicate} forwarded to the output topic, keyed by pcs_id.
 *
 * Bench-only: it is not the verifier (no v0.2, no full §1 structure validation, no policies, no
 * DLQ). Configuration (environment, checked once at start-up): PEER_BOOTSTRAP, PEER_APP_ID,
 * PEER_IN, PEER_OUT, PEER_SCHEMA (path of pcs-v1.avsc), PEER_HMAC_KEY, PEER_THREADS (default 1).
 * Prints "peer: running" when the topology reaches RUNNING; stops on SIGTERM.
 */
public final class PcsPeer {
  static final String STORE = "pcs-claims";

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    String bootstrap = required(env, "PEER_BOOTSTRAP");
    String appId = required(env, "PEER_APP_ID");
    String in = required(env, "PEER_IN");
    String out = required(env, "PEER_OUT");
    String schemaPath = required(env, "PEER_SCHEMA");
    String hmacKey = required(env, "PEER_HMAC_KEY");
    int threads;
    try {
      threads = Integer.parseInt(env.getOrDefault("PEER_THREADS", "1"));
    } catch (NumberFormatException e) {
      threads = -1;
    }
    if (threads < 1 || threads > 64) fail("PEER_THREADS must be an integer in [1, 64]");
    Schema schema;
    try {
      schema = new Schema.Parser().parse(Files.readString(Path.of(schemaPath)));
    } catch (IOException | RuntimeException e) {
      fail("PEER_SCHEMA: cannot read an Avro schema from " + schemaPath + ": " + e.getMessage());
      return;
    }
    byte[] key = hmacKey.getBytes(StandardCharsets.UTF_8);

    Topology topology = new Topology();
    topology.addSource("pcs", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), in);
    topology.addProcessor("verify", () -> new VerifyProcessor(schema, key), "pcs");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray()), "verify");
    topology.addSink("verdicts", out, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "verify");

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("flk-peer-").toString());
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(topology, p);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) System.out.println("peer: running");
      if (now == KafkaStreams.State.ERROR) {
        System.out.println("peer: error state");
        stopped.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("peer: stream thread failed: " + e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close();
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }

  static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) fail(name + " is required");
    return v;
  }

  static void fail(String message) {
    System.err.println("peer: config: " + message);
    System.exit(2);
  }

  /** One instance per task (Kafka Streams calls the supplier per task): its Mac and digest are its own. */
  static final class VerifyProcessor implements Processor<byte[], byte[], String, byte[]> {
    private final GenericDatumReader<GenericRecord> reader;
    private final Mac mac;
    private final MessageDigest sha256;
    private BinaryDecoder decoder;
    private GenericRecord reuse;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> claims;

    VerifyProcessor(Schema schema, byte[] key) {
      reader = new GenericDatumReader<>(schema);
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (Exception e) {
        throw new IllegalStateException("HmacSHA256 / SHA-256 unavailable", e);
      }
    }

    @Override
    public void init(ProcessorContext<String, byte[]> ctx) {
      context = ctx;
      claims = ctx.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> rec) {
      GenericRecord pcs = decode(rec.value());
      if (pcs == null) {
        forward("", Verdicts.json("", "rejected", List.of("malformed:avro"), null, false));
        return;
      }
      String pcsId = pcs.get("pcs_id").toString();
      byte[] prior = claims.get(pcsId);
      if (prior != null) {
        // The stored verdict, flagged as a duplicate (the verifier's withPrior).
        forward(pcsId, Verdicts.asDuplicate(prior));
        return;
      }
      byte[] verdict = decide(pcs, pcsId);
      claims.put(pcsId, verdict);
      forward(pcsId, verdict);
    }

    private void forward(String key, byte[] verdict) {
      context.forward(new Record<>(key, verdict, context.currentSystemTimeMs()));
    }

    private GenericRecord decode(byte[] v) {
      if (v == null || v.length < 5 || v[0] != 0) return null;
      try {
        decoder = DecoderFactory.get().binaryDecoder(v, 5, v.length - 5, decoder);
        reuse = reader.read(null, decoder);
        return decoder.isEnd() ? reuse : null;
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    byte[] decide(GenericRecord pcs, String pcsId) {
      if (!"0.1".equals(pcs.get("version").toString())) return Verdicts.json(pcsId, "rejected", List.of("malformed:version"), null, false);
      String merkleRoot = pcs.get("merkle_root").toString();
      String shardId = pcs.get("shard_id").toString();
      long epoch = (Long) pcs.get("epoch");
      if (!hex(sha256.digest((merkleRoot + "|" + epoch + "|" + shardId).getBytes(StandardCharsets.UTF_8))).equals(pcsId)) {
        return Verdicts.json(pcsId, "rejected", List.of("malformed:pcs_id_mismatch"), null, false);
      }
      double dHat = (Double) pcs.get("D_hat");
      double budget = (Double) pcs.get("budget");
      double coh = (Double) pcs.get("coh_star");
      double r = (Double) pcs.get("r");
      String payload = Canonical.payloadV01(dHat, budget, coh, epoch, merkleRoot, pcsId, r, shardId);
      byte[] digest = sha256.digest(payload.getBytes(StandardCharsets.UTF_8));
      Object sigField = pcs.get("sig");
      byte[] sig = sigField == null ? null : Canonical.strictBase64(sigField.toString(), 32);
      if (sig == null || !MessageDigest.isEqual(mac.doFinal(digest), sig)) {
        return Verdicts.json(pcsId, "rejected", List.of("signature"), null, false);
      }
      @SuppressWarnings("unchecked")
      List<Long> scales = (List<Long>) pcs.get("scales");
      @SuppressWarnings("unchecked")
      Map<Object, Long> nj = (Map<Object, Long>) pcs.get("N_j");
      double dRec;
      try {
        dRec = Signals.dHat(scales, nj);
      } catch (IllegalArgumentException e) {
        return Verdicts.json(pcsId, "rejected", List.of("malformed:" + e.getMessage()), null, false);
      }
      List<String> reasons = Signals.reasons(dHat, coh, r, budget, dRec, pcs.get("regime").toString(),
          (Boolean) ((GenericRecord) pcs.get("ft")).get("degraded"));
      return Verdicts.json(pcsId, reasons.isEmpty() ? "accepted" : "escalated", reasons, dRec, false);
    }
  }

  static String hex(byte[] b) {
    char[] out = new char[b.length * 2];
    final char[] digits = "0123456789abcdef".toCharArray();
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = digits[(b[i] >> 4) & 15];
      out[2 * i + 1] = digits[b[i] & 15];
    }
    return new String(out);
  }

  /** §2: the v0.1 signing payload, byte for byte what libs/pcs/src/canonical.ts builds. */
  static final class Canonical {
    static String payloadV01(double dHat, double budget, double coh, long epoch, String merkleRoot, String pcsId, double r, String shardId) {
      StringBuilder sb = new StringBuilder(256);
      sb.append("{\"D_hat\":").append(jsNumber(Round.round9(dHat)));
      sb.append(",\"budget\":").append(jsNumber(Round.round9(budget)));
      sb.append(",\"coh_star\":").append(jsNumber(Round.round9(coh)));
      sb.append(",\"epoch\":").append(jsNumber((double) epoch));
      sb.append(",\"merkle_root\":");
      jsonString(sb, merkleRoot);
      sb.append(",\"pcs_id\":");
      jsonString(sb, pcsId);
      sb.append(",\"r\":").append(jsNumber(Round.round9(r)));
      sb.append(",\"shard_id\":");
      jsonString(sb, shardId);
      return sb.append('}').toString();
    }

    /** JSON.stringify of a string: \" \\ \b \f \n \r \t, other controls as lowercase \\u00xx. */
    static void jsonString(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\b' -> sb.append("\\b");
          case '\f' -> sb.append("\\f");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
          }
        }
      }
      sb.append('"');
    }

    /**
     * ECMAScript Number::toString (what JSON.stringify prints): the shortest decimal that reads back
     * as the same double, the closest one when several are as short; plain notation for decimal
     * exponents in (-7, 21], else d.ddde±n. Java 17's Double.toString round-trips but is not always
     * the shortest (fixed in Java 19), so its digit count is only a starting point.
     */
    static String jsNumber(double d) {
      if (d == 0) return "0";
      if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("non-finite number");
      BigDecimal exact = new BigDecimal(d);
      BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
      int k = shortest.precision();
      // The closest k-digit decimal (round-trips whenever any k-digit one does); fewer digits while they still round-trip.
      shortest = exact.round(new MathContext(k, RoundingMode.HALF_EVEN));
      while (k > 1) {
        BigDecimal fewer = exact.round(new MathContext(k - 1, RoundingMode.HALF_EVEN));
        if (Double.parseDouble(fewer.toString()) != d) break;
        shortest = fewer;
        k--;
      }
      shortest = shortest.stripTrailingZeros();
      String digits = shortest.unscaledValue().abs().toString();
      k = digits.length();
      int n = k - shortest.scale(); // value = 0.digits × 10^n
      StringBuilder sb = new StringBuilder(32);
      if (d < 0) sb.append('-');
      if (k <= n && n <= 21) {
        sb.append(digits);
        for (int i = 0; i < n - k; i++) sb.append('0');
      } else if (0 < n && n <= 21) {
        sb.append(digits, 0, n).append('.').append(digits, n, k);
      } else if (-6 < n && n <= 0) {
        sb.append("0.");
        for (int i = 0; i < -n; i++) sb.append('0');
        sb.append(digits);
      } else {
        sb.append(digits.charAt(0));
        if (k > 1) sb.append('.').append(digits, 1, k);
        sb.append('e').append(n - 1 >= 0 ? "+" : "-").append(Math.abs(n - 1));
      }
      return sb.toString();
    }

    /** Strict standard padded base64 (libs/pcs/src/base64.ts): the canonical encoding of exactly `len` bytes, else null. */
    static byte[] strictBase64(String s, int len) {
      if (s.length() > 4 * len || s.length() % 4 != 0) return null;
      byte[] b;
      try {
        b = Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        return null;
      }
      // Java's decoder accepts non-zero trailing bits: re-encoding catches a non-canonical string.
      if (b.length != len || !Base64.getEncoder().encodeToString(b).equals(s)) return null;
      return b;
    }
  }

  /** §2.2 rounding, a port of libs/pcs/src/round.ts (fast path, then the exact one). */
  static final class Round {
    static final BigInteger TEN9 = BigInteger.valueOf(1_000_000_000L);

    static double round9(double x) {
      if (Double.isNaN(x) || Double.isInfinite(x)) return x;
      if (x == Math.rint(x)) return x + 0.0;
      double y = x * 1e9;
      if (Math.abs(y) < 0x1p52) {
        double floor = Math.floor(y);
        double frac = y - floor;
        if (Math.abs(frac - 0.5) > (Math.abs(y) + 1) * 0x1p-51) {
          double n = frac < 0.5 ? floor : floor + 1;
          return n == 0 ? 0.0 : n / 1e9;
        }
      }
      return round9Exact(x);
    }

    static double round9Exact(double x) {
      long bits = Double.doubleToRawLongBits(x);
      boolean negative = bits < 0;
      int biased = (int) ((bits >>> 52) & 0x7ff);
      long mantissa = bits & 0xfffffffffffffL;
      int exp;
      if (biased == 0) {
        exp = -1074;
      } else {
        mantissa |= 1L << 52;
        exp = biased - 1075;
      }
      int shift = -exp;
      BigInteger num = BigInteger.valueOf(mantissa).multiply(TEN9);
      BigInteger q = num.shiftRight(shift);
      BigInteger rem = num.subtract(q.shiftLeft(shift));
      BigInteger half = BigInteger.ONE.shiftLeft(shift - 1);
      int c = rem.compareTo(half);
      if (c > 0 || (c == 0 && q.testBit(0))) q = q.add(BigInteger.ONE);
      if (q.signum() == 0) return 0.0;
      return Double.parseDouble((negative ? "-" : "") + q + "e-9");
    }
  }

  /** §3-5 signals with the contract's default parameters (libs/pcs/src/params.ts, signals.ts, decide.ts). */
  static final class Signals {
    static final double TOL_D = 0.15, TOL_COH = 0.05, TOL_R = 0.05, TOL_BUDGET = 0.05;
    static final double BASE = 0.1, ALPHA = 0.3, BETA = 0.5, GAMMA = 0.2, D0 = 2.2;
    static final double STICKY_COH_MIN = 0.7, STICKY_D_MAX = 1.5, NON_STICKY_D_MIN = 2.6;

    /**
     * log2 of a positive integer: exact for powers of two; otherwise e + ln(m)/ln 2 with x = m·2^e,
     * m in [1, 2). V8's Math.log2 (fdlibm) may differ in the last bit; after round9 of the median
     * and the 0.15 tolerance that changes no decision except at a tie in the 9th decimal.
     */
    static double log2(long x) {
      if (Long.bitCount(x) == 1) return 63 - Long.numberOfLeadingZeros(x);
      double d = (double) x;
      int e = Math.getExponent(d);
      return e + Math.log(d / Math.scalb(1.0, e)) / Math.log(2.0);
    }

    static double dHat(List<Long> scales, Map<Object, Long> nj) {
      if (scales.size() < 2) throw new IllegalArgumentException("scales");
      Map<String, Long> counts = new HashMap<>(nj.size() * 2);
      for (Map.Entry<Object, Long> e : nj.entrySet()) counts.put(e.getKey().toString(), e.getValue());
      int m = scales.size();
      double[] xs = new double[m];
      double[] ys = new double[m];
      for (int i = 0; i < m; i++) {
        long s = scales.get(i);
        Long n = counts.get(Long.toString(s));
        if (s < 2) throw new IllegalArgumentException("scales");
        if (n == null || n < 1) throw new IllegalArgumentException("N_j");
        xs[i] = log2(s);
        ys[i] = log2(n);
      }
      double[] slopes = new double[m * (m - 1) / 2];
      int k = 0;
      for (int i = 0; i < m; i++) {
        for (int j = i + 1; j < m; j++) {
          double dx = xs[j] - xs[i];
          if (dx == 0) throw new IllegalArgumentException("scales");
          slopes[k++] = (ys[j] - ys[i]) / dx;
        }
      }
      Arrays.sort(slopes);
      int mid = slopes.length >> 1;
      double median = slopes.length % 2 == 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
      return Round.round9(median);
    }

    static String regimeOf(double dHat, double coh) {
      if (coh >= STICKY_COH_MIN && dHat <= STICKY_D_MAX) return "sticky";
      if (dHat >= NON_STICKY_D_MIN) return "non_sticky";
      return "mixed";
    }

    static double budget(double r, double dHat, double coh) {
      double raw = BASE + ALPHA * (1 - r) + BETA * Math.max(0, dHat - D0) + GAMMA * coh;
      double clamped = raw < 0 ? 0 : raw > 1 ? 1 : raw;
      return Round.round9(clamped);
    }

    static List<String> reasons(double dRep0, double coh0, double r0, double budgetRep0, double dRec, String regime, boolean degraded) {
      double dRep = Round.round9(dRep0), coh = Round.round9(coh0), r = Round.round9(r0), budgetRep = Round.round9(budgetRep0);
      double budgetRec = budget(r, dRec, coh);
      List<String> reasons = new ArrayList<>(2);
      if (Round.round9(Math.abs(dRep - dRec)) > TOL_D) reasons.add("d_hat_mismatch");
      if (coh < 0 || coh > Round.round9(1 + TOL_COH)) reasons.add("coh_star_out_of_range");
      if (r < 0 || r > Round.round9(1 + TOL_R)) reasons.add("r_out_of_range");
      if (!regime.equals(regimeOf(dRec, coh))) reasons.add("regime_mismatch");
      if (Round.round9(Math.abs(budgetRep - budgetRec)) > TOL_BUDGET) reasons.add("budget_mismatch");
      if (degraded) reasons.add("degraded");
      return reasons;
    }
  }

  /** The peer's verdict: small JSON, {pcs_id, status, reasons, recomputed_D_hat, duplicate}. */
  static final class Verdicts {
    static byte[] json(String pcsId, String status, List<String> reasons, Double dRec, boolean duplicate) {
      StringBuilder sb = new StringBuilder(160).append("{\"pcs_id\":");
      Canonical.jsonString(sb, pcsId);
      sb.append(",\"status\":\"").append(status).append("\",\"reasons\":[");
      for (int i = 0; i < reasons.size(); i++) {
        if (i > 0) sb.append(',');
        Canonical.jsonString(sb, reasons.get(i));
      }
      sb.append("],\"recomputed_D_hat\":").append(dRec == null ? "null" : Canonical.jsNumber(dRec));
      sb.append(",\"duplicate\":").append(duplicate).append('}');
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] asDuplicate(byte[] stored) {
      String s = new String(stored, StandardCharsets.UTF_8);
      return s.replace(",\"duplicate\":false}", ",\"duplicate\":true}").getBytes(StandardCharsets.UTF_8);
    }
  }

  private PcsPeer() {}
}
