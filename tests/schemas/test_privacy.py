from schemas.privacy import mask_card_number, mask_field, mask_id_number, mask_name, mask_text


def test_masks_keep_only_what_people_need():
    assert mask_id_number("130634196203070017") == "130634********0017"
    assert mask_card_number("6228480402564890018") == "6228***********0018"
    assert mask_name("欧阳翀翯") == "欧***"
    assert mask_field("address", "北京市") == "北京市"
    assert mask_field("holder_id_number", "130634196203070017") == "130634********0017"


def test_free_text_is_masked_wherever_numbers_appear():
    text = "申请人130634196203070017的卡号6228480402564890018有误"
    masked = mask_text(text)
    assert "196203070" not in masked and "0402564890" not in masked
    assert "130634********0017" in masked and "6228***********0018" in masked
