// Generates test-support/java-hashmap-orders.tsv: javac R.java && java R > java-hashmap-orders.tsv (JDK 17).
import java.util.*;
public class R {
  public static void main(String[] a) {
    Random r = new Random(42);
    String alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_0123456789-";
    for (int c = 0; c < 300; c++) {
      int n = 1 + r.nextInt(20);
      LinkedHashSet<String> keys = new LinkedHashSet<>();
      while (keys.size() < n) { int len = 1 + r.nextInt(12); StringBuilder sb = new StringBuilder(); for (int i=0;i<len;i++) sb.append(alpha.charAt(r.nextInt(alpha.length()))); keys.add(sb.toString()); }
      Map<Object,Object> m = new HashMap<>(Long.valueOf(Math.round(Math.ceil(keys.size() / 0.75))).intValue());
      for (String k : keys) m.put(k, 1);
      StringBuilder out = new StringBuilder();
      for (Object k : m.keySet()) { if (out.length() > 0) out.append(' '); out.append(k); }
      System.out.println(String.join(" ", keys) + "\t" + out);
    }
  }
}
