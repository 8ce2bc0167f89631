// Generates test-support/java-fixtures.tsv: javac G.java && java G > java-fixtures.tsv (JDK 17).
import java.time.*;
import java.time.format.*;
import java.text.*;
import java.util.*;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
public class G {
  static String esc(String s) { return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"); }
  public static void main(String[] a) throws Exception {
    StringBuilder out = new StringBuilder();
    double[] ds = {0.0, -0.0, 1.0, 5.0, 0.1, 0.30000000000000004, 123.456, 1e7, 9999999.0, 10000000.5, 1e-3, 9.99e-4, 1e-5, 123456789.123, 1e21, 1e22, 2.5e-10, -7.25, 3.141592653589793, 1.0E100, 4.9E-324, Double.MAX_VALUE, 100.0/3, 2.0/3, 1234567.0, 0.5, 1e16, 12345678901234567890.0};
    for (double d : ds) out.append("double\t").append(Double.toString(d)).append('\t').append(Double.toString(d)).append('\n');
    String[] patterns = {"yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "EEE, d MMM yyyy HH:mm:ss Z", "EEEE dd MMMM yy hh:mm a", "D w Q QQQ QQQQ", "H:m:s.SSSSSS n", "K k h", "xxx xx x X XX XXX", "yyyyMMdd'T'HHmmss", "MMMMM EEEEE", "u-M-d", "''yyyy'' 'at' HH", "yyyy-MM-dd[ HH:mm]", "A", "VV", "e c", "ZZZZZ ZZZZ", "O OOOO", "a B", "F W"};
    String[] instants = {"2024-01-15T10:30:00.123456Z", "2023-12-31T23:59:59Z", "2024-02-29T00:00:00.5Z", "2024-07-04T16:05:09.000000001Z", "1999-03-28T01:30:00Z", "2024-12-30T12:00:00Z", "2021-01-03T08:00:00Z"};
    String[] zones = {"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "+05:45"};
    for (String p : patterns) for (String i : instants) for (String z : zones) {
      ZonedDateTime zdt = Instant.parse(i).atZone(ZoneId.of(z));
      String r;
      try { r = DateTimeFormatter.ofPattern(p, Locale.ENGLISH).format(zdt); } catch (Exception e) { r = "ERROR"; }
      out.append("date\t").append(esc(p)).append('\t').append(i).append('\t').append(z).append('\t').append(esc(r)).append('\n');
    }
    String[] named = {"ISO_DATE_TIME", "ISO_OFFSET_DATE_TIME", "ISO_ZONED_DATE_TIME", "ISO_LOCAL_DATE", "ISO_LOCAL_TIME", "ISO_LOCAL_DATE_TIME", "ISO_DATE", "ISO_TIME", "ISO_INSTANT", "ISO_ORDINAL_DATE", "ISO_WEEK_DATE", "RFC_1123_DATE_TIME", "BASIC_ISO_DATE"};
    for (String n : named) for (String i : instants) for (String z : zones) {
      ZonedDateTime zdt = Instant.parse(i).atZone(ZoneId.of(z));
      DateTimeFormatter f = (DateTimeFormatter) DateTimeFormatter.class.getField(n).get(null);
      out.append("named\t").append(n.toLowerCase()).append('\t').append(i).append('\t').append(z).append('\t').append(f.format(zdt)).append('\n');
    }
    String[] dfp = {"#.##", "0.00", "#,##0.###", "000", "#%", "#", "0.0#", "#,##0", "'$'#,##0.00", "0.###E0"};
    double[] nums = {3.141592653, 0.125, 0.135, 2.5, 3.5, -2.5, 1234567.891, 0.0, 5, 0.25, 1e-7, 999.995, -0.004, 100};
    for (String p : dfp) for (double v : nums) {
      DecimalFormat f = new DecimalFormat(p, DecimalFormatSymbols.getInstance(Locale.ENGLISH));
      out.append("decimal\t").append(esc(p)).append('\t').append(Double.toString(v)).append('\t').append(esc(f.format(v))).append('\n');
    }
    String[][] splits = {{"a,b,,", ","}, {"a,b,,c", ","}, {",a,b", ","}, {"", ","}, {",", ","}, {"a1b22c", "\\d+"}, {"abc", ""}, {"a.b.c", "\\."}, {"  a  b ", "\\s+"}, {"a--b", "-"}, {"boo:and:foo", "o"}};
    int[] limits = {0, -1, 1, 2, 5};
    for (String[] s : splits) for (int l : limits) {
      String[] parts = s[0].split(s[1], l);
      out.append("split\t").append(esc(s[0])).append('\t').append(esc(s[1])).append('\t').append(l).append('\t').append(esc(String.join("\u0001", parts))).append('\t').append(parts.length).append('\n');
    }
    String[] enc = {"The string ü@foo-bar", "a b&c=d/e?f", "~!*'()._-", "日本語", "100%"};
    for (String s : enc) out.append("urlencode\t").append(esc(s)).append('\t').append(URLEncoder.encode(s, StandardCharsets.UTF_8)).append('\n');
    System.out.print(out);
  }
}
