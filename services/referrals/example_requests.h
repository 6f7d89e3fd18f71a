#pragma once

// Well-formed example requests, with made-up people and places, for tests and
// benchmarks to start from and vary.

#include <string>

#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/ids/ids.h"

namespace olif::referrals::testing_util {

namespace v1 = olifantenpad::referrals::v1;

// A well-formed anonymous question from a made-up worker at a made-up location.
inline v1::CreateRequestRequest ValidAnonymous(
    const std::string& location = "loc-boomgaard-noord") {
  v1::CreateRequestRequest call;
  call.set_request_id(NewUuid());
  v1::DirectLineRequest* r = call.mutable_request();
  r->set_kind(v1::REQUEST_KIND_ANONYMOUS);
  r->mutable_requester()->set_professional_id("prof-sanne-bakker");
  r->mutable_requester()->set_organisation_id("org-kdv-de-boomgaard");
  r->mutable_requester()->set_location_id(location);
  r->add_question_domains(v1::QUESTION_DOMAIN_BEHAVIOUR);
  r->set_question("Een peuter bijt andere kinderen als hij moe is. Hoe kunnen we dat voorkomen?");
  r->set_observations("Vooral aan het eind van de middag, bij het buitenspelen.");
  return call;
}

inline v1::CreateRequestRequest ValidGroup(const std::string& location = "loc-boomgaard-noord") {
  v1::CreateRequestRequest call = ValidAnonymous(location);
  v1::DirectLineRequest* r = call.mutable_request();
  r->set_kind(v1::REQUEST_KIND_GROUP);
  r->mutable_group()->set_location_id(location);
  r->mutable_group()->set_group_id("grp-egeltjes");
  r->clear_question_domains();
  r->add_question_domains(v1::QUESTION_DOMAIN_GROUP_DYNAMICS);
  r->set_question("De groep is onrustig sinds de verhuizing naar het nieuwe lokaal.");
  return call;
}

// A named-child question; kChildRef is the child the consent examples use.
inline constexpr char kChildRef[] = "5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7";
inline v1::CreateRequestRequest ValidChild(const std::string& location = "loc-boomgaard-noord") {
  v1::CreateRequestRequest call = ValidAnonymous(location);
  v1::DirectLineRequest* r = call.mutable_request();
  r->set_kind(v1::REQUEST_KIND_CHILD);
  r->mutable_child()->set_child_ref(kChildRef);
  r->set_question("Daan (3) praat nauwelijks en trekt zich terug. Hoe kunnen we hem helpen?");
  v1::ChildIdentity* id = call.mutable_child_identity();
  id->set_given_name("Daan");
  id->set_family_name("Janssen");
  id->set_birth_date("2023-05-14");
  id->set_bsn("111222333");
  return call;
}

}  // namespace olif::referrals::testing_util
