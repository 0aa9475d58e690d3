import SummitCodec
import Testing

@testable import SummitCLI

@Suite struct CLIParsingTests {
  @Test func enumWordsBothWays() throws {
    #expect(try Parse.enumValue("state-visit", Summit_V1_VisitKind.self, option: "--kind") == .stateVisit)
    #expect(try Parse.enumValue("SUMMIT", Summit_V1_VisitKind.self, option: "--kind") == .summit)
    #expect(try Parse.enumValue("no comment", Summit_V1_Stance.self, option: "--stance") == .noComment)
    #expect(Parse.words(Summit_V1_AllegationCategory.armsTransfer) == "arms-transfer")
    #expect(throws: UsageError.self) { try Parse.enumValue("unspecified", Summit_V1_VisitKind.self, option: "--kind") }
  }

  @Test func dates() throws {
    let d = try Parse.date("2024-06-18", option: "--start")
    #expect(d.year == 2024 && d.month == 6 && d.day == 18)
    #expect(throws: UsageError.self) { try Parse.date("18/06/2024", option: "--start") }
    #expect(CivilDays.between(d, try Parse.date("2024-06-19", option: "")) == 1)
    #expect(CivilDays.between(try Parse.date("2024-02-28", option: ""), try Parse.date("2024-03-01", option: "")) == 2)
  }

  @Test func csvRowsKeepTheirLineNumbers() throws {
    let text = """
      id,visitor,host_country,start_date,end_date,kind,cities
      # a comment
      a1,putin,kp,2024-06-18,2024-06-19,state-visit,"Pyongyang; Wonsan"

      a2,putin,VN,2024-06-19,bad-date,state-visit,Hanoi
      a3,putin,VN,2024-06-19,2024-06-20
      """
    let rows = try ImportRows.csv(text)
    #expect(rows.map(\.line) == [3, 5, 6])
    guard case .success(let first) = rows[0].result else { Issue.record("row 3 failed"); return }
    #expect(first.visitID == "a1" && first.visit?.hostCountry == "KP" && first.visit?.cities == ["Pyongyang", "Wonsan"])
    if case .success = rows[1].result { Issue.record("a bad date must fail") }
    if case .success = rows[2].result { Issue.record("a short row must fail") }
  }

  @Test func jsonLinesAcceptIDsAndReportBadLines() throws {
    let text = """
      {"id": "x1", "visitor": "putin", "hostCountry": "KP", "startDate": {"year": 2024, "month": 6, "day": 18}}
      not json
      {"host_country": "VN", "kind": "VISIT_KIND_NOPE"}
      """
    let rows = try ImportRows.jsonLines(text)
    #expect(rows.map(\.line) == [1, 2, 3])
    guard case .success(let first) = rows[0].result else { Issue.record("line 1 failed"); return }
    #expect(first.visitID == "x1" && first.visit?.visitor == "putin")
    if case .success = rows[1].result { Issue.record("line 2 must fail") }
    if case .success = rows[2].result { Issue.record("line 3 must fail") }
  }

  @Test func yamlOfJSON() throws {
    let json = try JSONParser.parse(#"{"name":"visits/a","cities":["Pyongyang","Hanoi"],"startDate":{"year":2024},"note":"yes: no"}"#)
    let yaml = YAMLWriter.yaml(json)
    #expect(yaml.contains("name: visits/a\n"))
    #expect(yaml.contains("cities:\n  - Pyongyang\n  - Hanoi\n"))
    #expect(yaml.contains("startDate:\n  year: 2024\n"))
    #expect(yaml.contains("note: \"yes: no\"\n"))
  }

  @Test func tablesAlignAndWrap() {
    let text = TextLayout.table(["a", "long text"], [["x", String(repeating: "word ", count: 30)]], width: 60)
    let lines = text.split(separator: "\n")
    #expect(lines[0] == "A  LONG TEXT")
    #expect(lines.count > 2)
    #expect(lines.allSatisfy { $0.count <= 60 })
  }
}
