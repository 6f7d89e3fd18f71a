#pragma once

// Handover forms for tests, the FHIR example program and the benchmark: the
// dev region's directory (config/dev/directory.yaml), fictitious children.

#include <string>

#include "olifantenpad/handover/v1/handover.pb.h"

namespace olif::handover::examples {

namespace v1 = olifantenpad::handover::v1;

// A complete form from De Boomgaard Noord to Basisschool De Regenboog for a
// child with a VE-indicatie (so a warm handover), two parents, three
// development areas, a professional involved.
inline v1::HandoverForm VeChild(const std::string& child_ref,
                                const std::string& given_name = "Eliëlle",
                                const std::string& family_name = "Çelik-Van Dijk") {
  v1::HandoverForm f;
  v1::Child& c = *f.mutable_child();
  c.set_child_ref(child_ref);
  c.set_given_name(given_name);
  c.set_family_name(family_name);
  c.set_birth_date("2023-04-18");
  c.set_bsn("123456782");
  v1::Guardian& mother = *f.add_guardians();
  mother.set_name("Łucja Çelik-Van Dijk");
  mother.set_relation(v1::GUARDIAN_RELATION_PARENT);
  mother.set_has_authority(true);
  mother.set_phone("06-12345678");
  mother.set_email("lucja@example.nl");
  v1::Guardian& father = *f.add_guardians();
  father.set_name("Emre Çelik");
  father.set_relation(v1::GUARDIAN_RELATION_PARENT);
  father.set_has_authority(true);
  f.mutable_sender()->set_location_id("loc-boomgaard-noord");
  f.mutable_sender()->set_lrk_number("123456789");
  f.mutable_sender()->set_author_id("prof-sanne-bakker");
  f.mutable_receiver()->set_brin("12AB");
  f.mutable_receiver()->set_vestiging("00");
  f.mutable_receiver()->set_expected_start_date("2027-04-19");
  f.mutable_attendance()->set_group_id("grp-egeltjes");
  f.mutable_attendance()->set_since("2024-09-02");
  f.mutable_attendance()->set_half_days_per_week(4);
  f.mutable_ve()->set_indicated(true);
  f.mutable_ve()->set_programme_code("3");
  f.mutable_ve()->set_months(18);
  v1::DevelopmentObservation& social = *f.add_development();
  social.set_area(v1::DEVELOPMENT_AREA_SOCIAL_EMOTIONAL);
  social.set_instrument(v1::INSTRUMENT_KIJK);
  social.set_level("passend bij de leeftijd");
  social.set_strengths("Speelt graag samen in de huishoek en troost andere kinderen.");
  social.set_attention_points("Wordt boos bij overgangen; heeft dan even tijd nodig.");
  social.set_observed_at("2027-01-20");
  v1::DevelopmentObservation& language = *f.add_development();
  language.set_area(v1::DEVELOPMENT_AREA_LANGUAGE);
  language.set_instrument(v1::INSTRUMENT_KIJK);
  language.set_level("iets achter");
  language.set_strengths("Begrijpt veel; thuis wordt Turks en Nederlands gesproken.");
  language.set_attention_points("Woordenschat Nederlands; korte zinnen.");
  language.set_observed_at("2027-01-20");
  v1::DevelopmentObservation& motor = *f.add_development();
  motor.set_area(v1::DEVELOPMENT_AREA_MOTOR);
  motor.set_instrument(v1::INSTRUMENT_OTHER);
  motor.set_instrument_other("eigen observatie");
  motor.set_strengths("Klimt en fietst behendig.");
  motor.set_observed_at("2027-02-03");
  f.set_particulars("Heeft een notenallergie (epipen in de tas).");
  f.set_approach_that_works(
      "Bij boosheid: benoemen wat ze voelt, even samen naar de leeshoek, daarna terug naar de "
      "groep. Een vaste plek in de kring helpt.");
  v1::ProfessionalInvolved& speech = *f.add_professionals();
  speech.set_name("M. de Boer");
  speech.set_role("logopedist");
  speech.set_organisation("Logopediepraktijk Veldhoven aan de Aa");
  return f;
}

// The same child without VE and without concerns: a handover that is not warm.
inline v1::HandoverForm PlainChild(const std::string& child_ref) {
  v1::HandoverForm f = VeChild(child_ref, "Daan", "Janssen");
  f.mutable_child()->set_bsn("");
  f.clear_ve();
  return f;
}

}  // namespace olif::handover::examples
