import Testing

@testable import SummitProtogen

/// The generator must name C symbols exactly as protoc-c 1.4.1 does; these
/// cases were read off protoc-c's output for the same names.
@Suite struct NamingTests {
  @Test(arguments: [
    ("summit.v1.ListVisitsResponse", "summit__v1__list_visits_response"),
    ("grpc.reflection.v1alpha.HTTPRule", "grpc__reflection__v1alpha__httprule"),
    ("grpc.reflection.v1alpha.HTTPRule.InnerX", "grpc__reflection__v1alpha__httprule__inner_x"),
    ("a1b.v2Beta.Foo2Bar", "a1b__v2_beta__foo2_bar"),
    ("a1b.v2Beta.ABc_dEf", "a1b__v2_beta__abc_d_ef"),
  ])
  func cSymbolStems(fullName: String, stem: String) {
    #expect(Naming.cSymbolStem(fullName: fullName) == stem)
  }

  @Test(arguments: [
    ("google.rpc.BadRequest.FieldViolation", "Google__Rpc__BadRequest__FieldViolation"),
    ("grpc.reflection.v1alpha.Foo_bar", "Grpc__Reflection__V1alpha__FooBar"),
    ("a1b.v2Beta.ABc_dEf", "A1b__V2Beta__ABcDEf"),
  ])
  func cTypeNames(fullName: String, type: String) {
    #expect(Naming.cTypeName(fullName: fullName) == type)
  }

  @Test func cFieldNames() {
    #expect(Naming.cField("display_name") == "display_name")
    #expect(Naming.cField("BarBaz") == "barbaz")
    #expect(Naming.cField("default") == "default_")
  }

  @Test func swiftNames() {
    #expect(Naming.swiftPrefix(package: "grpc.reflection.v1alpha") == "Grpc_Reflection_V1alpha_")
    #expect(Naming.swiftProperty("display_name") == "displayName")
    #expect(Naming.swiftProperty("request_id") == "requestID")
    #expect(Naming.swiftProperty("id") == "id")
    #expect(Naming.swiftProperty("self") == "self_p")
    #expect(Naming.swiftProperty("protocol") == "`protocol`")
    #expect(Naming.swiftEnumCase("VISIT_KIND_STATE_VISIT", enumName: "VisitKind") == "stateVisit")
    #expect(Naming.swiftEnumCase("SERVING", enumName: "ServingStatus") == "serving")
    #expect(Naming.swiftEnumCase("COLOR_2X", enumName: "Color") == "color2x")
  }
}
