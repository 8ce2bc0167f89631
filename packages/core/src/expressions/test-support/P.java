// Generates test-support/java-parse-fixtures.tsv: javac P.java && java P > java-parse-fixtures.tsv (JDK 17).
import java.time.*;
import java.time.format.*;
import java.time.temporal.*;
import java.util.*;
public class P {
  public static void main(String[] a) {
    String[][] cases = {
      {"yyyy-MM-dd HH:mm:ss", "2024-01-15 10:30:00"}, {"dd/MM/yyyy HH:mm", "15/01/2024 08:05"}, {"yyyy-MMMM-d", "2024-January-15"},
      {"EEE, d MMM yyyy HH:mm:ss", "Mon, 15 Jan 2024 10:30:00"}, {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-01-15T10:30:00.123+02:00"},
      {"hh:mm a yyyy/MM/dd", "07:45 PM 2024/03/10"}, {"hh:mm a yyyy/MM/dd", "12:15 AM 2024/03/10"}, {"yyyyMMdd", "20240229"},
      {"yyyy-MM-dd'T'HH:mm:ssZ", "2024-06-01T23:00:00-0500"}, {"yyyy-MM-dd HH:mm:ss.SSSSSS", "2024-01-15 10:30:00.123456"},
      {"d MMM yy", "5 Feb 24"}, {"yyyy-DDD", "2024-060"}, {"MM/dd/yyyy h:mm:ss a", "12/31/2023 11:59:59 PM"},
      {"yyyy-MM-dd'T'HH:mm:ssX", "2024-01-15T10:30:00Z"}, {"yyyy-MM-dd HH:mm VV", "2024-07-01 09:00 Europe/Paris"},
    };
    for (String[] c : cases) {
      DateTimeFormatter f = DateTimeFormatter.ofPattern(c[0], Locale.ENGLISH);
      TemporalAccessor t = f.parse(c[1]);
      LocalDate date = t.isSupported(ChronoField.EPOCH_DAY) ? LocalDate.from(t) : null;
      LocalTime time = t.isSupported(ChronoField.NANO_OF_DAY) ? LocalTime.from(t) : LocalTime.MIDNIGHT;
      ZoneId zone = t.query(TemporalQueries.zone());
      ZonedDateTime z = LocalDateTime.of(date, time).atZone(zone != null ? zone : ZoneOffset.UTC);
      Instant i = z.toInstant();
      System.out.println(c[0] + "\t" + c[1] + "\t" + i.getEpochSecond() + "\t" + i.getNano());
    }
  }
}
