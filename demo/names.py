"""The syllables the demo's places, people and pilots are named from: none is a real one."""

SYLLABLES = "安平福溪山洋坑口坪源林田湖岭头桥坊兴隆上下东西南北中石竹梅桂龙凤莲"
SURNAMES = "张王李刘陈杨黄吴赖罗邱廖曾谢林郑何徐朱余江"
GIVEN = "秀英华明金兰春生水福玉建国梅清德荣桂芳伟强丽娟"
